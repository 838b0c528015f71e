/**
 * Field I/O: the device links named in the grant (Modbus TCP, CoAP), input polling into a process
 * image, and the output writers with their fault policies.
 */
@NullMarked
package dev.graft.gateway.field;

import org.jspecify.annotations.NullMarked;
