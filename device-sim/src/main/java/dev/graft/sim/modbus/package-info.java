/** The boiler PLC as a Modbus TCP server over the plant's memory (digitalpetri modbus). */
@NullMarked
package dev.graft.sim.modbus;

import org.jspecify.annotations.NullMarked;
