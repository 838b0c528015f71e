/**
 * The only I/O of the trust core: {@link dev.graft.bundle.tufclient.HttpRepository} fetches TUF
 * files over HTTP, {@link dev.graft.bundle.tufclient.FileTrustedStore} keeps trusted metadata in a
 * directory, and {@link dev.graft.bundle.tufclient.TufClientCli} is the command line a TUF
 * conformance suite drives ({@code bin/graft-tuf-client}). {@code java.net} and {@code
 * java.nio.file} are used here and nowhere else in the module.
 */
@NullMarked
package dev.graft.bundle.tufclient;

import org.jspecify.annotations.NullMarked;
