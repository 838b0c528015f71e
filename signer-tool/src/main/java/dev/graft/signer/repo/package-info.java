/**
 * An image repository on disk, as a library: the standard TUF layout that a static web server can
 * serve, staged metadata that collects m-of-n signatures, and the online snapshot and timestamp
 * roles. The {@code graft} commands are thin layers over it.
 */
@NullMarked
package dev.graft.signer.repo;

import org.jspecify.annotations.NullMarked;
