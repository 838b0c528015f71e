/**
 * The Uptane split: a gateway installs a target only when the director (what this gateway should
 * run) and the image repository (what was released and signed offline) agree on it.
 */
@NullMarked
package dev.graft.bundle.director;

import org.jspecify.annotations.NullMarked;
