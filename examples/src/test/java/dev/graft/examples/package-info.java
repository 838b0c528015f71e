/** Tests that the example modules build into valid graft/1 modules with matching manifests. */
@NullMarked
package dev.graft.examples;

import org.jspecify.annotations.NullMarked;
