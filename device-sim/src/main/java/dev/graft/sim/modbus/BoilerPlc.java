package dev.graft.sim.modbus;

import com.digitalpetri.modbus.server.ModbusTcpServer;
import com.digitalpetri.modbus.tcp.server.NettyTcpServerTransport;
import dev.graft.sim.Faults;
import dev.graft.sim.WordOrder;
import dev.graft.sim.plant.Plant;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulated boiler PLC: a Modbus TCP server on its own event loop and request thread, so that a
 * slow-response fault stalls this device only, and closing it leaves no thread behind.
 */
public final class BoilerPlc implements AutoCloseable {
  private final ModbusTcpServer server;
  private final EventLoopGroup eventLoop;
  private final ExecutorService requestThread;
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final InetSocketAddress address;

  private BoilerPlc(
      String bindHost, int port, int unitId, WordOrder wordOrder, Plant plant, Faults faults)
      throws IOException {
    eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    requestThread =
        Executors.newSingleThreadExecutor(runnable -> {
          Thread thread = new Thread(runnable, "device-sim-modbus");
          thread.setDaemon(true);
          return thread;
        });
    CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    NettyTcpServerTransport transport =
        NettyTcpServerTransport.create(config -> {
          config.setBindAddress(bindHost);
          config.setPort(port);
          config.setEventLoopGroup(eventLoop);
          config.setExecutor(requestThread);
          config.setBootstrapCustomizer(bootstrap ->
              bootstrap.handler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext context) {
                      bound.complete((InetSocketAddress) context.channel().localAddress());
                      context.fireChannelActive();
                    }
                  }));
          config.setPipelineCustomizer(pipeline -> track(pipeline.channel(), faults));
        });
    server =
        ModbusTcpServer.create(transport, new BoilerPlcServices(plant, faults, unitId, wordOrder));
    faults.onChange(() -> {
      if (faults.modbusOffline()) {
        dropConnections();
      }
    });
    // A restarted PLC has lost its TCP connections; clients must reconnect.
    faults.onReboot(this::dropConnections);
    try {
      server.start();
      address = bound.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      shutdownThreads();
      throw new IOException(
          "cannot start the Modbus TCP server on " + bindHost + ":" + port + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      shutdownThreads();
      throw new IOException("interrupted while starting the Modbus TCP server", e);
    }
  }

  /**
   * Starts the PLC on {@code bindHost:port} (port 0 picks a free one).
   *
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static BoilerPlc start(
      String bindHost, int port, int unitId, WordOrder flowWordOrder, Plant plant, Faults faults) {
    try {
      return new BoilerPlc(bindHost, port, unitId, flowWordOrder, plant, faults);
    } catch (IOException e) {
      throw new UncheckedIOException(e.getMessage(), e);
    }
  }

  // An offline device accepts nothing: connections made while offline are closed on arrival.
  private void track(Channel channel, Faults faults) {
    connections.add(channel);
    channel.closeFuture().addListener(future -> connections.remove(channel));
    channel
        .pipeline()
        .addFirst(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelActive(ChannelHandlerContext context) {
                if (faults.modbusOffline()) {
                  var _ = context.close();
                } else {
                  context.fireChannelActive();
                }
              }

              @Override
              public void channelRead(ChannelHandlerContext context, Object message) {
                if (faults.modbusOffline()) {
                  ReferenceCountUtil.release(message);
                  var _ = context.close();
                } else {
                  context.fireChannelRead(message);
                }
              }
            });
  }

  // Closing is asynchronous; a client sees the connection end when the event loop gets to it.
  private void dropConnections() {
    for (Channel channel : connections) {
      var _ = channel.close();
    }
  }

  /** The bound address (the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return address;
  }

  /** Open client connections, for tests of the offline switch. */
  public int connectionCount() {
    return connections.size();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (ExecutionException e) {
      // Stopping a server whose listener already failed leaves nothing to release but threads.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      shutdownThreads();
    }
  }

  private void shutdownThreads() {
    requestThread.shutdownNow();
    var _ = eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
