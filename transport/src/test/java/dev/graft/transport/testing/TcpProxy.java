package dev.graft.transport.testing;

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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay to a broker whose {@link #cut()} drops every connection at once: to the
 * broker it looks like a lost network (the sockets close with no MQTT DISCONNECT), which is what
 * makes it publish a client's Last Will. While cut, every new connection is accepted and closed at
 * once (a client sees the broker refuse it, and {@link #refusedWhileCut()} counts them); {@link
 * #restore()} relays new connections again, on the same port, so a client that reconnects by itself
 * finds the broker again.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress target;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong toClients = new AtomicLong();
  private final AtomicInteger refused = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean relaying = true;

  private TcpProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    this.acceptor = Thread.ofVirtual().name("tcp-proxy-accept").start(this::accept);
  }

  /** Relays a free loopback port to {@code 127.0.0.1:targetPort}. */
  public static TcpProxy to(int targetPort) {
    try {
      ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      return new TcpProxy(
          server, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the proxy port", e);
    }
  }

  /** {@code mqtt://127.0.0.1:PORT} of the proxy (plain MQTT). */
  public URI uri() {
    return URI.create("mqtt://127.0.0.1:" + server.getLocalPort());
  }

  /** The bytes relayed from the broker to the clients so far, over every connection. */
  public long bytesToClients() {
    return toClients.get();
  }

  /** How many connections were attempted (and closed at once) while the proxy was cut. */
  public int refusedWhileCut() {
    return refused.get();
  }

  /**
   * Closes every relayed connection, both ends, without a word; refuses new ones until restored.
   */
  public void cut() {
    relaying = false;
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** Relays new connections again; the connections cut stay closed. */
  public void restore() {
    relaying = true;
  }

  @Override
  public void close() {
    cut();
    try {
      server.close();
    } catch (IOException e) {
      // Closing a server socket has nothing left to fail on that matters here.
    }
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
      if (!relaying) {
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
      if (!relaying) {
        // cut() ran between accept() and here and did not see these two.
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      relay(client, upstream, new AtomicLong());
      relay(upstream, client, toClients);
    }
  }

  private static void relay(Socket from, Socket to, AtomicLong counted) {
    Thread.ofVirtual()
        .name("tcp-proxy-relay")
        .start(() -> {
          byte[] buffer = new byte[16 * 1024];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
              out.write(buffer, 0, n);
              out.flush();
              counted.addAndGet(n);
            }
          } catch (IOException e) {
            // One side closed: the finally below closes the other.
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
      // Nothing to do: the socket is going away either way.
    }
  }
}
