/**
 * Capabilities: what a control-logic module asks for (its manifest), what the operator grants (the
 * site's signed grant), the check between them, and the static validator for ABI {@code graft/1}.
 * This package gets verified bytes; signatures are the trust core's job.
 */
@NullMarked
package dev.graft.policies;

import org.jspecify.annotations.NullMarked;
