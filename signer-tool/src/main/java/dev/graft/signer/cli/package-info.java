/**
 * The repository, release, signing and status commands of {@code graft}: argument handling, output
 * and confirmations over the {@link dev.graft.signer.repo} library.
 */
@NullMarked
package dev.graft.signer.cli;

import org.jspecify.annotations.NullMarked;
