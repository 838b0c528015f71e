/**
 * The MQTT protocol of {@code protocol.md}: the topic scheme, a connection wrapper over Eclipse
 * Paho, the publisher and a TUF {@link dev.graft.bundle.tuf.Repository} over retained topics. No
 * Paho type appears in this package's public API.
 */
@NullMarked
package dev.graft.transport;

import org.jspecify.annotations.NullMarked;
