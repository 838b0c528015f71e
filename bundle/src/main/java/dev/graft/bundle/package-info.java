/** Graft's trust core: the rules that decide whether metadata and bundles are acceptable. */
@NullMarked
package dev.graft.bundle;

import org.jspecify.annotations.NullMarked;
