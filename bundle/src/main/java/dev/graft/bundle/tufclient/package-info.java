/**
 * The only I/O of the trust core: {@link dev.graft.bundle.tufclient.HttpRepository} fetches TUF
 * files over HTTP, {@link dev.graft.bundle.tufclient.FileTrustedStore} keeps trusted metadata in a
 * directory, and {@link dev.graft.bundle.tufclient.AtomicFile} is the one crash-safe file write
 * every module uses. The conformance command line that drives them is the {@code tuf-cli} module.
 * {@code java.net} and {@code java.nio.file} are used here and nowhere else in the module.
 */
@NullMarked
package dev.graft.bundle.tufclient;

import org.jspecify.annotations.NullMarked;
