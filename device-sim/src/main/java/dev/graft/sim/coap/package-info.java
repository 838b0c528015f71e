/** The thermostat as a CoAP server (Eclipse Californium, DTLS PSK through Scandium). */
@NullMarked
package dev.graft.sim.coap;

import org.jspecify.annotations.NullMarked;
