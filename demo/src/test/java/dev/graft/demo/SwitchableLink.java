package dev.graft.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP relay to the bench's broker that can be taken down and brought back on the same
 * port: down, it drops every relayed connection and closes each new one at once (a broker that is
 * gone, as the gateway sees it); up again, it relays as before. The broker itself keeps running,
 * with its retained metadata, for the other tests. Transport's {@code TcpProxy} cannot come back:
 * its {@code cut()} closes the listening port for good.
 */
final class SwitchableLink implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile boolean up = true;

  private SwitchableLink(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    Thread.ofVirtual().name("switchable-link-accept").start(this::accept);
  }

  /** Relays a free loopback port to {@code 127.0.0.1:targetPort}; starts up. */
  static SwitchableLink to(int targetPort) {
    try {
      ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      return new SwitchableLink(
          server, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the link's port", e);
    }
  }

  /** {@code mqtt://127.0.0.1:PORT} of the link. */
  URI uri() {
    return URI.create("mqtt://127.0.0.1:" + server.getLocalPort());
  }

  /** Drops every relayed connection, without a word, and refuses new ones until {@link #up()}. */
  void down() {
    up = false;
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Relays new connections again. */
  void up() {
    up = true;
  }

  /** How many connections were attempted (and closed at once) while the link was down. */
  int refused() {
    return refused.get();
  }

  @Override
  public void close() {
    down();
    try {
      server.close();
    } catch (IOException e) {
      // nothing left to fail on that matters here
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException closed) {
        return;
      }
      if (!up) {
        refused.incrementAndGet();
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5_000);
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      sockets.add(client);
      sockets.add(upstream);
      if (!up) {
        // down() ran between accept() and here and did not see these two
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      relay(client, upstream);
      relay(upstream, client);
    }
  }

  private static void relay(Socket from, Socket to) {
    Thread.ofVirtual()
        .name("switchable-link-relay")
        .start(() -> {
          byte[] buffer = new byte[16 * 1024];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
              out.write(buffer, 0, n);
              out.flush();
            }
          } catch (IOException e) {
            // one side closed: the finally below closes the other
          } finally {
            closeQuietly(from);
            closeQuietly(to);
          }
        });
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // the socket is going away either way
    }
  }
}
