package dev.graft.gateway.field;

import dev.graft.policies.CoapMethod;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * One output target on a device (a coil, holding register(s) or CoAP resource), shared by every
 * port bound to it so a swap hands the output from one module to the next without a gap. Holds the
 * raw device value the device should have, with the manifest point (encoding, CoAP method) of the
 * port driving it; the link writes it on change, periodically and after a reconnect.
 */
final class OutputChannel {
  /**
   * A raw device value and the point that says how to write it: one value, so the link never writes
   * a new value with an old encoding or the other way round.
   */
  record Setting(double raw, Manifest.Point point) {
    /** The method a CoAP resource is written with, as its manifest declares it. */
    CoapMethod coapMethod() {
      return switch (point) {
        case Manifest.Point.Coap coap -> coap.coap().method();
        case Manifest.Point.Modbus modbus -> CoapMethod.PUT;
      };
    }
  }

  private final String device;
  private final Grant.Target target;
  private final Grant.Output rule;
  // the point of the port driving the output: set at bind, handed on when that port closes
  private volatile Manifest.Point point;
  private final AtomicReference<@Nullable Setting> desired = new AtomicReference<>();
  private final AtomicInteger ports = new AtomicInteger();
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile boolean lastWriteOk;
  private volatile @Nullable Setting lastWritten;

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

  /** The point the output is written with now. */
  Manifest.Point point() {
    return point;
  }

  /**
   * The raw value the device should hold; null before anything (not even a fault policy) set it.
   */
  @Nullable Double desired() {
    Setting s = desired.get();
    return s == null ? null : s.raw();
  }

  /** The value to write and how; null before anything set it. */
  @Nullable Setting setting() {
    return desired.get();
  }

  /** Sets the raw value, written with the current point; returns whether it needs writing now. */
  boolean set(double raw) {
    Setting next = new Setting(raw, point);
    Setting previous = desired.getAndSet(next);
    return !next.equals(previous);
  }

  /**
   * Sets the raw value a port computed for its point {@code by}: the port that writes an output
   * drives it, with its manifest's encoding. Returns whether it needs writing now.
   */
  boolean set(double raw, Manifest.Point by) {
    point = by;
    return set(raw);
  }

  /**
   * Hands the output to a port whose manifest declares it as {@code next}: from now on it is
   * written with that point's encoding (word order, type, CoAP method). The held raw value is kept
   * if the new type can hold it, else the output goes to its safe value. Returns whether it needs
   * writing now.
   */
  boolean handOver(Manifest.Point next) {
    point = next;
    Setting current = desired.get();
    if (current == null) {
      return false;
    }
    double raw = current.raw();
    if (next instanceof Manifest.Point.Modbus modbus
        && !RegisterCodec.holds(modbus.modbus(), raw)) {
      raw = rule.safe().doubleValue();
    }
    return set(raw);
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

  /** Records the outcome of writing {@code setting}. */
  void wrote(Setting setting, boolean ok) {
    lastWriteOk = ok;
    lastWritten = ok ? setting : null;
  }

  /** Forgets what the device holds (it may have rebooted): the next write must happen. */
  void unknown() {
    lastWritten = null;
  }

  /** Whether the device already holds {@code setting} from an earlier successful write. */
  boolean holds(Setting setting) {
    return setting.equals(lastWritten);
  }

  boolean lastWriteOk() {
    return lastWriteOk;
  }
}
