/**
 * The demo behind {@code scripts/run}: a broker, software keys, a simulated field site and a
 * gateway, then a signed update published over MQTT and swapped in live, and attacks refused.
 */
@NullMarked
package dev.graft.demo;

import org.jspecify.annotations.NullMarked;
