@NullMarked
package dev.graft.demo;

import org.jspecify.annotations.NullMarked;
