/** JMH benchmarks for the performance targets in {@code shared/PERFORMANCE.md}. */
@NullMarked
package dev.graft.benchmarks;

import org.jspecify.annotations.NullMarked;
