/**
 * Keys and signatures: TUF key objects, key ids, the {@link dev.graft.bundle.keys.Signer} and
 * {@link dev.graft.bundle.keys.Verifier} primitives, and their software implementations.
 */
@NullMarked
package dev.graft.bundle.keys;

import org.jspecify.annotations.NullMarked;
