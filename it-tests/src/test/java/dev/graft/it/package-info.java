/**
 * End-to-end tests: the example control modules on the real runtime (Chicory), the gateway's field
 * I/O and scan loop, against device-sim's simulated boiler site over real Modbus TCP and CoAP.
 */
@NullMarked
package dev.graft.it;

import org.jspecify.annotations.NullMarked;
