@NullMarked
package dev.graft.transport;

import org.jspecify.annotations.NullMarked;
