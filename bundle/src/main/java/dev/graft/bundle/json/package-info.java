/**
 * Strict JSON parsing and canonical JSON encoding. What this parser accepts is a security decision:
 * duplicate keys, floats, malformed UTF-8, trailing data, and input beyond the caps are refused.
 */
@NullMarked
package dev.graft.bundle.json;

import org.jspecify.annotations.NullMarked;
