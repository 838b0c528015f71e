/**
 * Test fixtures reused by other modules through this module's test jar: {@link
 * dev.graft.transport.testing.MosquittoBroker} (a real Debian {@code mosquitto} on a free loopback
 * port), {@link dev.graft.transport.testing.TestPki} (a CA and certificates made with {@code
 * openssl}), {@link dev.graft.transport.testing.SampleRepository} (a small signed repository) and
 * {@link dev.graft.transport.testing.TcpProxy} (a relay whose cut looks like a lost network).
 */
@NullMarked
package dev.graft.transport.testing;

import org.jspecify.annotations.NullMarked;
