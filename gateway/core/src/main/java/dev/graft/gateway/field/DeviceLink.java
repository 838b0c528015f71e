package dev.graft.gateway.field;

import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One field device's connection, with its own thread: it polls the inputs bound to it on the
 * device's schedule, writes outputs (on change, periodically, after every reconnect) and reconnects
 * with capped exponential backoff. Everything touching the device runs on that thread, so requests
 * to one device are never interleaved and no caller ever waits for the device.
 */
abstract class DeviceLink implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DeviceLink.class.getName());

  /** The device did not answer, or the connection broke: the whole link is down. */
  static final class LinkDown extends Exception {
    LinkDown(String message, Throwable cause) {
      super(message, cause, false, false);
    }

    LinkDown(String message) {
      super(message, null, false, false);
    }
  }

  protected final String device;
  protected final FieldOptions options;
  protected final Set<InputCell> cells = new CopyOnWriteArraySet<>();
  protected final Set<OutputChannel> channels = new CopyOnWriteArraySet<>();
  private final ScheduledExecutorService thread;
  private final Consumer<DeviceLink> onLost;
  private final List<Future<?>> schedules = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private volatile boolean up;
  private volatile @Nullable String lastFailure;
  // the failure last logged while the link is down, so a retry with the same reason stays quiet
  private @Nullable String loggedFailure;
  private volatile boolean closed;
  private final Backoff backoff;
  private long nextAttemptNanos;

  DeviceLink(String device, FieldOptions options, Consumer<DeviceLink> onLost) {
    this.device = device;
    this.options = options;
    this.onLost = onLost;
    this.backoff = new Backoff(options.backoffInitial(), options.backoffMax());
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "graft-field-" + device);
              t.setDaemon(true);
              return t;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.thread = executor;
  }

  /** Starts polling and the periodic rewrite. */
  void start() {
    long poll = options.pollPeriod(device).toNanos();
    schedules.add(thread.scheduleWithFixedDelay(this::pollRound, 0, poll, TimeUnit.NANOSECONDS));
    long rewrite = options.rewritePeriod().toNanos();
    schedules.add(
        thread.scheduleWithFixedDelay(this::rewriteAll, rewrite, rewrite, TimeUnit.NANOSECONDS));
  }

  String device() {
    return device;
  }

  boolean up() {
    return up;
  }

  LinkStatus status() {
    return new LinkStatus(
        device, up, failedAttempts.get(), connects.get(), writes.get(), lastFailure);
  }

  void addInput(InputCell cell) {
    cells.add(cell);
  }

  void removeInput(InputCell cell) {
    cells.remove(cell);
  }

  void addOutput(OutputChannel channel) {
    channels.add(channel);
  }

  void removeOutput(OutputChannel channel) {
    channels.remove(channel);
  }

  Set<OutputChannel> outputs() {
    return channels;
  }

  /** Queues a write of the channel's current value; returns at once. */
  void submitWrite(OutputChannel channel) {
    if (closed || !channel.queue()) {
      return;
    }
    try {
      thread.execute(() -> {
        channel.dequeued();
        writeNow(channel, false);
      });
    } catch (RejectedExecutionException e) {
      // the link closed meanwhile; nothing will be written any more
      channel.dequeued();
    }
  }

  /**
   * Writes the channel's current value after every write queued so far, whether or not the device
   * is thought to hold it already, and completes with whether the device acknowledged it: false
   * when the link is down or closed (nothing can be written then) or the device refused the value.
   * With {@code retire} the link stops driving the channel after that write, so a final value is
   * never dropped by removing its output first.
   */
  CompletableFuture<Boolean> confirm(OutputChannel channel, boolean retire) {
    CompletableFuture<Boolean> acknowledged = new CompletableFuture<>();
    Runnable task =
        () -> {
          try {
            acknowledged.complete(writeFinal(channel));
          } finally {
            if (retire) {
              channels.remove(channel);
            }
            acknowledged.complete(false);
          }
        };
    if (closed) {
      task.run();
      return acknowledged;
    }
    try {
      thread.execute(task);
    } catch (RejectedExecutionException e) {
      // the link closed meanwhile; nothing will be written any more
      if (retire) {
        channels.remove(channel);
      }
      acknowledged.complete(false);
    }
    return acknowledged;
  }

  private boolean writeFinal(OutputChannel channel) {
    OutputChannel.Setting setting = channel.setting();
    if (setting == null || !up || closed) {
      return false;
    }
    try {
      boolean ok = write(channel, setting);
      channel.wrote(setting, ok);
      writes.incrementAndGet();
      return ok;
    } catch (LinkDown e) {
      channel.wrote(setting, false);
      lost(e);
      return false;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "field device " + device + ": write failed", e);
      channel.wrote(setting, false);
      return false;
    }
  }

  // --- protocol specifics, all called on the link's thread ---

  /** Opens the connection (or proves the device answers); throws when it cannot. */
  protected abstract void connect() throws LinkDown;

  /** Drops the connection after a failure so the next {@link #connect} starts clean. */
  protected abstract void disconnect();

  /** Reads every bound input once; marks cells of failed reads bad. */
  protected abstract void poll(List<InputCell> inputs) throws LinkDown;

  /**
   * Writes one raw value with its point's encoding; returns false when the device refused it (the
   * link is still up).
   */
  protected abstract boolean write(OutputChannel channel, OutputChannel.Setting setting)
      throws LinkDown;

  /** Releases the protocol client. */
  protected abstract void release();

  private void pollRound() {
    if (closed) {
      return;
    }
    try {
      if (!up) {
        long now = System.nanoTime();
        if (now - nextAttemptNanos < 0) {
          return;
        }
        connect();
        up = true;
        connects.incrementAndGet();
        backoff.reset();
        loggedFailure = null;
        LOG.log(Level.INFO, "field device {0}: link up", device);
        // a device that rebooted forgot its outputs: write them all before anything else
        rewriteAll();
        if (!up) {
          return;
        }
      }
      poll(List.copyOf(cells));
    } catch (LinkDown e) {
      lost(e);
    } catch (RuntimeException e) {
      if (closed) {
        return;
      }
      // a bug in a decoder must not kill the link's thread (which would freeze every input)
      LOG.log(Level.ERROR, "field device " + device + ": poll failed", e);
      lost(new LinkDown(e.toString()));
    }
  }

  private void rewriteAll() {
    for (OutputChannel channel : channels) {
      if (!up || closed) {
        return;
      }
      writeNow(channel, true);
    }
  }

  /**
   * Writes the channel's current value: the newest value wins over older queued ones. A write
   * triggered by a change is skipped when the device already holds the value; a rewrite always goes
   * out.
   */
  private void writeNow(OutputChannel channel, boolean rewrite) {
    OutputChannel.Setting setting = channel.setting();
    if (setting == null || !up || closed || !channels.contains(channel)) {
      // nothing to write yet, or the link is down: the value is written after the reconnect
      return;
    }
    if (!rewrite && channel.holds(setting)) {
      return;
    }
    try {
      boolean ok = write(channel, setting);
      channel.wrote(setting, ok);
      writes.incrementAndGet();
    } catch (LinkDown e) {
      channel.wrote(setting, false);
      lost(e);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "field device " + device + ": write failed", e);
      channel.wrote(setting, false);
    }
  }

  private void lost(LinkDown cause) {
    if (closed) {
      // closing interrupts a request in flight; that is no lost link
      return;
    }
    failedAttempts.incrementAndGet();
    boolean wasUp = up;
    up = false;
    String reason = cause.getMessage();
    lastFailure = reason;
    if (wasUp) {
      LOG.log(Level.WARNING, "field device {0}: link lost ({1})", device, reason);
      loggedFailure = reason;
      // outputs to their fault policy before the inputs show bad, so whoever sees bad inputs
      // already reads the fault-policy outputs
      onLost.accept(this);
    } else if (!Objects.equals(reason, loggedFailure)) {
      // a device that never answers (a refused certificate, a wrong address) must show in the log
      // too, once per distinct reason rather than on every retry
      LOG.log(Level.WARNING, "field device {0}: cannot connect ({1})", device, reason);
      loggedFailure = reason;
    }
    for (OutputChannel channel : channels) {
      channel.unknown();
    }
    for (InputCell cell : cells) {
      cell.markBad();
    }
    disconnect();
    nextAttemptNanos = System.nanoTime() + backoff.nextNanos();
  }

  /**
   * Stops the thread and the client at once; writes still queued are dropped. A caller that needs
   * its outputs acknowledged first waits for them before ({@link FieldPort#stop}).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    schedules.forEach(f -> f.cancel(false));
    thread.shutdownNow();
    try {
      thread.awaitTermination(options.requestTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    release();
  }
}
