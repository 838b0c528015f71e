package dev.graft.gateway.field;

import dev.graft.gateway.runtime.ProcessImage;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Manifest.ModbusPoint;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
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
      ModbusPoint modbus = point.modbus();
      Manifest.CoapPoint coap = point.coap();
      if (point.dir() == Manifest.Direction.IN) {
        InputCell cell =
            modbus != null
                ? InputCell.modbus(modbus)
                : InputCell.coap(Objects.requireNonNull(coap).path());
        inputs[i] = cell;
        attach.add(() -> link.addInput(cell));
      } else {
        Grant.Target target =
            modbus != null
                ? new Grant.Target.Register(modbus.table(), modbus.address())
                : new Grant.Target.Resource(Objects.requireNonNull(coap).path());
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

  private synchronized void release(SitePort port) {
    if (!ports.remove(port)) {
      return;
    }
    for (InputCell cell : port.inputs) {
      if (cell != null) {
        links.values().forEach(l -> l.removeInput(cell));
      }
    }
    for (OutputChannel channel : port.outputs) {
      if (channel != null && channel.release() == 0) {
        // nobody drives it any more: stop rewriting it (the device's watchdog takes over)
        channels.remove(new ChannelKey(channel.device(), channel.target()));
        Objects.requireNonNull(links.get(channel.device())).removeOutput(channel);
      }
    }
  }

  /**
   * Shuts the site down: every output to its fault policy, a bounded wait for those writes (twice
   * the request timeout per device), then every port and link closed.
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
    applyFaultPolicy(List.copyOf(allChannels()), "shutdown");
    Duration drain = options.requestTimeout().multipliedBy(2);
    for (DeviceLink link : links.values()) {
      link.close(drain);
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
      ModbusPoint point = manifest.points().get(index).modbus();
      return point == null ? raw : RegisterCodec.fromRaw(point, raw);
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
        ModbusPoint point = manifest.points().get(index).modbus();
        double raw = point == null ? value : RegisterCodec.toRaw(point, value);
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
        if (channel.set(raw)) {
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

    @Override
    public void close() {
      open = false;
      release(this);
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
