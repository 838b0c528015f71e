/**
 * The TUF 1.0 client workflow (specification section 5) as pure rules over bytes: a {@link
 * dev.graft.bundle.tuf.Repository} delivers files, a {@link dev.graft.bundle.tuf.TrustedStore}
 * keeps what has been verified, and an injected {@link java.time.Clock} decides expiry. No network
 * or file-system code lives here.
 */
@NullMarked
package dev.graft.bundle.tuf;

import org.jspecify.annotations.NullMarked;
