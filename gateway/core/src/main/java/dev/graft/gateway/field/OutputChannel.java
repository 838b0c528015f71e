package dev.graft.gateway.field;

import dev.graft.policies.CoapMethod;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Manifest.ModbusPoint;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One output target on a device (a coil, holding register(s) or CoAP resource), shared by every
 * port bound to it so a swap hands the output from one module to the next without a gap. Holds the
 * raw device value the device should have; the link writes it on change, periodically and after a
 * reconnect.
 */
final class OutputChannel {
  private final String device;
  private final Grant.Target target;
  private final Grant.Output rule;
  // the layout the device is written with: the point of the port driving the output
  private volatile Manifest.Point point;
  private final AtomicReference<@Nullable Double> desired = new AtomicReference<>();
  private final AtomicInteger ports = new AtomicInteger();
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean lastWriteOk;
  private volatile @Nullable Double lastWritten;

  OutputChannel(String device, Grant.Target target, Grant.Output rule, Manifest.Point point) {
    this.device = device;
    this.target = target;
    this.rule = rule;
    this.point = point;
  }

  String device() {
    return device;
  }

  Grant.Target target() {
    return target;
  }

  Grant.Output rule() {
    return rule;
  }

  /** The register layout to write; null for a CoAP resource. */
  @Nullable ModbusPoint modbusPoint() {
    return point.modbus();
  }

  /** The method a CoAP resource is written with, as its manifest declares it. */
  CoapMethod coapMethod() {
    Manifest.CoapPoint coap = point.coap();
    return coap == null ? CoapMethod.PUT : coap.method();
  }

  /**
   * The raw value the device should hold; null before anything (not even a fault policy) set it.
   */
  @Nullable Double desired() {
    return desired.get();
  }

  /** Sets the raw value; returns whether it changed (and so needs writing now). */
  boolean set(double raw) {
    Double previous = desired.getAndSet(raw);
    return previous == null || previous.doubleValue() != raw;
  }

  /**
   * Puts the channel to its fault policy: the safe value for {@code safe}, and for {@code hold}
   * when nothing was ever written; returns whether the value changed.
   */
  boolean applyFaultPolicy() {
    if (rule.fault() == Grant.FaultPolicy.SAFE || desired.get() == null) {
      return set(rule.safe().doubleValue());
    }
    return false;
  }

  /**
   * Marks a write as queued; false if one is queued already. That queued write sends the newest
   * value, so a device slower than the tick never builds up a backlog of writes.
   */
  boolean queue() {
    return queued.compareAndSet(false, true);
  }

  /** The queued write is starting: a change from now on needs a new one. */
  void dequeued() {
    queued.set(false);
  }

  boolean inRange(double raw) {
    return raw >= rule.min().doubleValue() && raw <= rule.max().doubleValue();
  }

  int bind() {
    return ports.incrementAndGet();
  }

  int release() {
    return ports.decrementAndGet();
  }

  /** How many ports drive this output. */
  int boundPorts() {
    return ports.get();
  }

  /** Records the outcome of writing {@code raw}. */
  void wrote(double raw, boolean ok) {
    lastWriteOk = ok;
    lastWritten = ok ? raw : null;
  }

  /** Forgets what the device holds (it may have rebooted): the next write must happen. */
  void unknown() {
    lastWritten = null;
  }

  /** Whether the device already holds {@code raw} from an earlier successful write. */
  boolean holds(double raw) {
    Double written = lastWritten;
    return written != null && written.doubleValue() == raw;
  }

  boolean lastWriteOk() {
    return lastWriteOk;
  }
}
