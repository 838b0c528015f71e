/**
 * The repository, release, signing, status and key commands of {@code graft}: argument handling,
 * output and confirmations over the {@link dev.graft.signer.repo} and {@link dev.graft.signer.keys}
 * libraries.
 */
@NullMarked
package dev.graft.signer.cli;

import org.jspecify.annotations.NullMarked;
