/**
 * The {@code *.graft} bundle: a ZIP archive holding exactly {@code manifest.json} and {@code
 * module.wasm}, both STORED. The reader is a strict parser of its own over a byte array, because
 * the JDK's ZIP readers accept layouts (data descriptors, prepended data, overlapping entries) that
 * would let two tools see different contents in one signed file.
 */
@NullMarked
package dev.graft.bundle.format;

import org.jspecify.annotations.NullMarked;
