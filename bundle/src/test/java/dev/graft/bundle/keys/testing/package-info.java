/**
 * Test fixtures for users of {@code X509Pem}, shared through bundle's test jar: gateway/core's
 * field tests, device-sim's and the end-to-end tests.
 */
@NullMarked
package dev.graft.bundle.keys.testing;

import org.jspecify.annotations.NullMarked;
