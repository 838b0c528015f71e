/**
 * The TUF 1.0 metadata model: root, targets (with delegations), snapshot and timestamp as immutable
 * records that keep unknown members, inside a {@link dev.graft.bundle.metadata.SignedMetadata}
 * envelope that keeps the {@code signed} object exactly as received, because signatures are checked
 * over its canonical form and never over a re-serialisation of the model.
 */
@NullMarked
package dev.graft.bundle.metadata;

import org.jspecify.annotations.NullMarked;
