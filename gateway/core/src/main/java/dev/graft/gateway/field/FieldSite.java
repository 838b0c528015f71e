package dev.graft.gateway.field;

import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Manifest.ModbusPoint;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's field devices: one link per device the grant names, shared by every module port
 * bound to the site.
 *
 * <p>Ports: {@link #bind} gives a module's manifest its {@link FieldPort}. Several ports may be
 * bound at once — the next module's port is bound while the old one still runs, so its inputs are
 * already fresh when the scan loop swaps. Outputs are shared per device target, so handing one from
 * the old module to the new one leaves no gap.
 *
 * <p>Fault policy: an output no running port drives yet is put to its fault policy when a port
 * binds it, i.e. before that module's first tick (for a fresh output both {@code hold} and {@code
 * safe} mean the safe value, since there is nothing to hold); an output another port already drives
 * is left alone so a swap does not glitch it. When a device link is lost the site puts that
 * device's outputs to their fault policy; the device cannot hear it until it is back, so the value
 * is written with the rewrite after the reconnect — until then the device's own communication
 * watchdog is what acts. {@link #close()} applies the fault policy to every output and waits
 * (bounded) for those writes before it closes the links.
 */
public final class FieldSite implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(FieldSite.class.getName());

  private record ChannelKey(String device, Grant.Target target) {}

  private final Grant grant;
  private final FieldOptions options;
  private final Map<String, DeviceLink> links = new LinkedHashMap<>();
  private final Map<ChannelKey, OutputChannel> channels = new HashMap<>();
  private final List<SitePort> ports = new ArrayList<>();
  private final @Nullable InputCell permit;
  private boolean closed;

  private FieldSite(Grant grant, FieldOptions options, Credentials credentials) {
    this.grant = grant;
    this.options = options;
    try {
      for (Grant.Device device : grant.devices().values()) {
        DeviceLink link =
            device.transport().modbus()
                ? new ModbusLink(device, options, this::linkLost)
                : new CoapLink(device, options, credentials, this::linkLost);
        links.put(device.name(), link);
      }
    } catch (RuntimeException e) {
      links.values().forEach(DeviceLink::close);
      throw e;
    }
    Grant.UpdatePermit p = grant.permit().orElse(null);
    if (p != null) {
      ModbusPoint point =
          new ModbusPoint(p.table(), p.address(), Manifest.ValueType.BOOL, BigDecimal.ONE);
      permit = InputCell.modbus(point);
      link(p.device(), "update_permit").addInput(permit);
    } else {
      permit = null;
    }
  }

  /**
   * Opens a link to every device in the grant and starts polling. Links connect in the background;
   * a device that is down now is retried with backoff.
   *
   * @throws IllegalArgumentException if a {@code coaps://} device's credential is missing from
   *     {@code credentials}
   */
  public static FieldSite open(Grant grant, FieldOptions options, Credentials credentials) {
    FieldSite site = new FieldSite(grant, options, credentials);
    site.links.values().forEach(DeviceLink::start);
    return site;
  }

  /**
   * A port for one module's points (already checked against the grant by the capability check). Its
   * outputs that nothing drives yet go to their fault policy now, before the module's first tick.
   *
   * @throws IllegalArgumentException if a point names a device the grant does not have, or an
   *     output has no output entry in the grant
   */
  public synchronized FieldPort bind(Manifest manifest) {
    if (closed) {
      throw new IllegalStateException("the field site is closed");
    }
    List<Manifest.Point> points = manifest.points();
    @Nullable InputCell[] inputs = new InputCell[points.size()];
    @Nullable OutputChannel[] outputs = new OutputChannel[points.size()];
    List<Runnable> attach = new ArrayList<>();
    Map<ChannelKey, OutputChannel> fresh = new HashMap<>();
    // check everything first, so a refused manifest leaves the site as it was
    for (int i = 0; i < points.size(); i++) {
      Manifest.Point point = points.get(i);
      DeviceLink link = link(point.device(), "point '" + point.name() + "'");
      if (point.dir() == Manifest.Direction.IN) {
        InputCell cell =
            switch (point) {
              case Manifest.Point.Modbus modbus -> InputCell.modbus(modbus.modbus());
              case Manifest.Point.Coap coap -> InputCell.coap(coap.coap().path());
            };
        inputs[i] = cell;
        attach.add(() -> link.addInput(cell));
      } else {
        Grant.Target target =
            switch (point) {
              case Manifest.Point.Modbus modbus ->
                  new Grant.Target.Register(modbus.modbus().table(), modbus.modbus().address());
              case Manifest.Point.Coap coap -> new Grant.Target.Resource(coap.coap().path());
            };
        Grant.Output rule =
            grant
                .output(point.device(), target)
                .orElseThrow(() ->
                    new IllegalArgumentException(
                        "output point '"
                            + point.name()
                            + "' has no output entry (range, safe value, fault policy) in the"
                            + " grant"));
        ChannelKey key = new ChannelKey(point.device(), target);
        OutputChannel existing = channels.getOrDefault(key, fresh.get(key));
        OutputChannel channel =
            existing != null ? existing : new OutputChannel(point.device(), target, rule, point);
        fresh.put(key, channel);
        outputs[i] = channel;
      }
    }
    attach.forEach(Runnable::run);
    for (OutputChannel channel : outputs) {
      if (channel == null) {
        continue;
      }
      ChannelKey key = new ChannelKey(channel.device(), channel.target());
      if (channels.putIfAbsent(key, channel) == null) {
        DeviceLink link = links.get(channel.device());
        Objects.requireNonNull(link).addOutput(channel);
      }
      if (channel.bind() == 1 && channel.desired() == null) {
        // before the first tick: a fresh output starts at its fault policy
        channel.applyFaultPolicy();
        Objects.requireNonNull(links.get(channel.device())).submitWrite(channel);
      }
    }
    SitePort port = new SitePort(manifest, inputs, outputs);
    ports.add(port);
    return port;
  }

  private DeviceLink link(String device, String who) {
    DeviceLink link = links.get(device);
    if (link == null) {
      throw new IllegalArgumentException(who + " names device '" + device + "', not in the grant");
    }
    return link;
  }

  /**
   * The outputs {@code running} drives that neither {@code next} nor any other bound port drives:
   * those a swap from one to the other puts to their safe value (see {@link FieldPort#close()}), as
   * {@code device target}, e.g. {@code plc coil 4}. For the preflight and swap report; empty when
   * {@code running} is not an open port of this site, and every output only {@code running} drives
   * when {@code next} is not one.
   */
  public synchronized List<String> orphanedOutputs(FieldPort running, FieldPort next) {
    if (!(running instanceof SitePort from) || !ports.contains(from)) {
      return List.of();
    }
    List<OutputChannel> kept = new ArrayList<>();
    if (next instanceof SitePort to && ports.contains(to)) {
      for (OutputChannel channel : to.outputs) {
        if (channel != null) {
          kept.add(channel);
        }
      }
    }
    List<String> orphaned = new ArrayList<>();
    for (OutputChannel channel : from.outputs) {
      if (channel != null && !kept.contains(channel) && channel.boundPorts() == 1) {
        orphaned.add(describe(channel));
      }
    }
    return List.copyOf(orphaned);
  }

  /** The state of one device's link. */
  public LinkStatus status(String device) {
    return link(device, "status").status();
  }

  /** Whether the grant's update permit input reads 1 with good quality; true without a permit. */
  public boolean updatePermitted() {
    InputCell cell = permit;
    if (cell == null) {
      return true;
    }
    return cell.quality(System.nanoTime(), options.staleAfter().toNanos()) == ProcessImage.GOOD
        && cell.value() == 1;
  }

  private void linkLost(DeviceLink link) {
    // runs on the link's thread; the writes are queued behind it and happen after the reconnect
    for (OutputChannel channel : link.outputs()) {
      if (channel.applyFaultPolicy()) {
        LOG.log(
            Level.WARNING,
            "field device {0}: link lost, output {1} to its safe value",
            link.device(),
            channel.target());
      }
      link.submitWrite(channel);
    }
  }

  private void applyFaultPolicy(List<OutputChannel> outputs, String reason) {
    for (OutputChannel channel : outputs) {
      if (channel.applyFaultPolicy()) {
        LOG.log(
            Level.WARNING,
            "field device {0}: output {1} to its safe value ({2})",
            channel.device(),
            channel.target(),
            reason);
      }
      Objects.requireNonNull(links.get(channel.device())).submitWrite(channel);
    }
  }

  /**
   * A final value on its way to the device: {@code acknowledged} completes when it was answered.
   */
  private record Confirmation(OutputChannel channel, CompletableFuture<Boolean> acknowledged) {}

  /**
   * Unbinds a port. An output no other port drives any more is written once more (its safe value
   * when {@code orphansToSafe}, else the value it has) and then no longer rewritten, so its last
   * value is never dropped by removing it first; with {@code confirmShared}, outputs another port
   * still drives are written once more too. Returns those writes.
   */
  /** Writes the safe value of every output {@code port} drives, whatever its fault policy. */
  private synchronized void toSafe(SitePort port, String reason) {
    for (OutputChannel channel : port.outputs) {
      if (channel != null && channel.set(channel.rule().safe().doubleValue())) {
        LOG.log(
            Level.WARNING,
            "field device {0}: output {1} to its safe value: {2}",
            channel.device(),
            channel.target(),
            reason);
        Objects.requireNonNull(links.get(channel.device())).submitWrite(channel);
      }
    }
  }

  private synchronized List<Confirmation> release(
      SitePort port, boolean orphansToSafe, boolean confirmShared) {
    if (!ports.remove(port)) {
      return List.of();
    }
    for (InputCell cell : port.inputs) {
      if (cell != null) {
        links.values().forEach(l -> l.removeInput(cell));
      }
    }
    List<Confirmation> writes = new ArrayList<>();
    for (OutputChannel channel : port.outputs) {
      if (channel == null) {
        continue;
      }
      DeviceLink link = Objects.requireNonNull(links.get(channel.device()));
      if (channel.release() == 0) {
        // nobody drives it any more: the device's watchdog takes over after this last write
        channels.remove(new ChannelKey(channel.device(), channel.target()));
        if (orphansToSafe && !closed && channel.set(channel.rule().safe().doubleValue())) {
          LOG.log(
              Level.WARNING,
              "field device {0}: output {1} is driven by no module any more: to its safe value",
              channel.device(),
              channel.target());
        }
        writes.add(new Confirmation(channel, link.confirm(channel, true)));
      } else {
        handOver(channel);
        if (confirmShared) {
          writes.add(new Confirmation(channel, link.confirm(channel, false)));
        }
      }
    }
    return writes;
  }

  /**
   * Gives an output the point of the newest port still bound to it: after a swap the new module's
   * encoding (word order, type, CoAP method) applies at once, to the value held across the swap
   * too, not only from its first write.
   */
  private void handOver(OutputChannel channel) {
    for (SitePort other : ports.reversed()) {
      for (int i = 0; i < other.outputs.length; i++) {
        if (other.outputs[i] == channel) {
          if (channel.handOver(other.manifest.points().get(i))) {
            Objects.requireNonNull(links.get(channel.device())).submitWrite(channel);
          }
          return;
        }
      }
    }
  }

  /**
   * Waits, at most twice the request timeout in all, for {@code writes} to be acknowledged; returns
   * the outputs whose value the device did not acknowledge, and logs them.
   */
  private List<String> await(List<Confirmation> writes, String reason) {
    long deadline = System.nanoTime() + options.requestTimeout().multipliedBy(2).toNanos();
    List<String> undriven = new ArrayList<>();
    for (Confirmation write : writes) {
      boolean acknowledged;
      try {
        acknowledged =
            write
                .acknowledged()
                .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        acknowledged = false;
      } catch (ExecutionException | TimeoutException e) {
        acknowledged = false;
      }
      if (!acknowledged) {
        String output = describe(write.channel());
        undriven.add(output);
        LOG.log(
            Level.ERROR,
            "field device {0}: output {1} not confirmed at {2} ({3}); the device''s own watchdog"
                + " must act",
            write.channel().device(),
            write.channel().target(),
            write.channel().desired(),
            reason);
      }
    }
    return List.copyOf(undriven);
  }

  private static String describe(OutputChannel channel) {
    String target =
        switch (channel.target()) {
          case Grant.Target.Register(var table, var address) -> table.wire() + " " + address;
          case Grant.Target.Resource(var path) -> path;
        };
    return channel.device() + " " + target;
  }

  /**
   * Shuts the site down: every output to its fault policy, written once more and waited for (at
   * most twice the request timeout in all) until the device acknowledged it, then every port and
   * link closed. Outputs not acknowledged are logged as errors.
   */
  @Override
  public void close() {
    List<SitePort> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = List.copyOf(ports);
    }
    List<OutputChannel> all = allChannels();
    applyFaultPolicy(all, "shutdown");
    List<Confirmation> writes = new ArrayList<>();
    for (OutputChannel channel : all) {
      writes.add(
          new Confirmation(
              channel,
              Objects.requireNonNull(links.get(channel.device())).confirm(channel, false)));
    }
    await(writes, "shutdown");
    for (DeviceLink link : links.values()) {
      link.close();
    }
    open.forEach(SitePort::close);
  }

  private synchronized List<OutputChannel> allChannels() {
    return List.copyOf(channels.values());
  }

  /** One module's view of the site. */
  private final class SitePort implements FieldPort {
    private final Manifest manifest;
    private final @Nullable InputCell[] inputs;
    private final @Nullable OutputChannel[] outputs;
    private final AtomicLong refused = new AtomicLong();
    private volatile boolean open = true;

    SitePort(Manifest manifest, @Nullable InputCell[] inputs, @Nullable OutputChannel[] outputs) {
      this.manifest = manifest;
      this.inputs = inputs;
      this.outputs = outputs;
    }

    @Override
    public ProcessImage snapshot() {
      int n = inputs.length;
      double[] values = new double[n];
      int[] qualities = new int[n];
      long now = System.nanoTime();
      long stale = options.staleAfter().toNanos();
      for (int i = 0; i < n; i++) {
        InputCell cell = inputs[i];
        OutputChannel channel = outputs[i];
        if (cell != null) {
          values[i] = cell.value();
          qualities[i] = cell.quality(now, stale);
        } else if (channel != null) {
          Double raw = channel.desired();
          values[i] = raw == null ? Double.NaN : toModule(i, raw);
          DeviceLink link = links.get(channel.device());
          qualities[i] =
              raw != null && link != null && link.up() ? ProcessImage.GOOD : ProcessImage.BAD;
        }
      }
      return ProcessImage.of(values, qualities);
    }

    private double toModule(int index, double raw) {
      return switch (manifest.points().get(index)) {
        case Manifest.Point.Modbus point -> RegisterCodec.fromRaw(point.modbus(), raw);
        case Manifest.Point.Coap point -> raw;
      };
    }

    @Override
    public void write(SortedMap<Integer, Double> values) {
      if (!open) {
        return;
      }
      for (Map.Entry<Integer, Double> entry : values.entrySet()) {
        int index = entry.getKey();
        OutputChannel channel = index >= 0 && index < outputs.length ? outputs[index] : null;
        if (channel == null) {
          refused.incrementAndGet();
          continue;
        }
        double value = entry.getValue();
        double raw =
            switch (manifest.points().get(index)) {
              case Manifest.Point.Modbus point -> RegisterCodec.toRaw(point.modbus(), value);
              case Manifest.Point.Coap point -> value;
            };
        if (!Double.isFinite(raw) || !channel.inRange(raw)) {
          // the runtime refuses these in point_set already; never clamp, never write
          refused.incrementAndGet();
          continue;
        }
        DeviceLink link = Objects.requireNonNull(links.get(channel.device()));
        if (!link.up()) {
          // the link is down and its outputs are at their fault policy until it is back; the
          // module's first tick after the reconnect drives them again
          continue;
        }
        if (channel.set(raw, manifest.points().get(index))) {
          link.submitWrite(channel);
        }
      }
    }

    @Override
    public void applyFaultPolicy(String reason) {
      List<OutputChannel> mine = new ArrayList<>();
      for (OutputChannel channel : outputs) {
        if (channel != null) {
          mine.add(channel);
        }
      }
      FieldSite.this.applyFaultPolicy(mine, reason);
    }

    @Override
    public boolean updatePermitted() {
      return FieldSite.this.updatePermitted();
    }

    /** Values handed to {@link #write} that were not written (no output, out of range). */
    long refusedWrites() {
      return refused.get();
    }

    /**
     * Closes the port; an output no other port drives goes to its safe value, written in the
     * background (never waited for here: at a swap this runs on the scan thread).
     */
    @Override
    public void close() {
      open = false;
      release(this, true, false);
    }

    @Override
    public List<String> orphanedBy(FieldPort next) {
      return orphanedOutputs(this, next);
    }

    @Override
    public List<String> stop(String reason) {
      applyFaultPolicy(reason);
      open = false;
      return await(release(this, false, true), reason);
    }

    @Override
    public List<String> stopSafe(String reason) {
      toSafe(this, reason);
      open = false;
      return await(release(this, false, true), reason);
    }

    @Override
    public String toString() {
      return "FieldPort[" + manifest.name() + " " + manifest.version() + "]";
    }
  }

  /** Exposed for tests in this package: how many writes a port refused. */
  static long refusedWrites(FieldPort port) {
    return port instanceof SitePort p ? p.refusedWrites() : 0;
  }
}
