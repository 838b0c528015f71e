/**
 * {@code bin/graft-tuf-client}: the trust core behind the TUF conformance suite's client-under-test
 * command line. A CLI of its own, so that the {@code bundle} library carries no argument parsing.
 */
@NullMarked
package dev.graft.tufcli;

import org.jspecify.annotations.NullMarked;
