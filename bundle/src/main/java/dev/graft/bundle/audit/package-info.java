/**
 * The rules of the gateway's hash-chained audit log: one record per line of canonical JSON, each
 * naming the SHA-256 of the one before it, so an edited, removed or reordered record breaks the
 * chain. Pure functions of bytes; the gateway's journal stores the records and {@code graft audit
 * verify} checks an export of them.
 */
@NullMarked
package dev.graft.bundle.audit;

import org.jspecify.annotations.NullMarked;
