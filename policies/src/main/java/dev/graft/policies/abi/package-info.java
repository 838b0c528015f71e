/**
 * The static validator for ABI {@code graft/1}: what a control-logic module imports, exports and
 * declares, checked from its bytes before anything is instantiated.
 */
@NullMarked
package dev.graft.policies.abi;

import org.jspecify.annotations.NullMarked;
