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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay to a broker whose {@link #cut()} drops every connection at once and refuses
 * new ones: to the broker it looks like a lost network (the sockets close with no MQTT DISCONNECT),
 * which is what makes it publish a client's Last Will. {@link #restore()} listens again on the same
 * port, so a client that reconnects by itself finds the broker again.
 */
public final class TcpProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicLong toClients = new AtomicLong();
  private volatile ServerSocket server;
  private volatile Thread acceptor;

  private TcpProxy(ServerSocket server, InetSocketAddress target) {
    this.server = server;
    this.target = target;
    this.port = server.getLocalPort();
    this.acceptor = startAcceptor(server);
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
    return URI.create("mqtt://127.0.0.1:" + port);
  }

  /** The bytes relayed from the broker to the clients so far, over every connection. */
  public long bytesToClients() {
    return toClients.get();
  }

  /** Listens again on the same port after {@link #cut()}; the connections cut stay closed. */
  public void restore() {
    if (!server.isClosed()) {
      return;
    }
    try {
      acceptor.join(5_000);
      ServerSocket again = new ServerSocket();
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
      server = again;
      acceptor = startAcceptor(again);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " again", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while restoring the proxy", e);
    }
  }

  /** Closes the listening socket and every relayed connection, both ends, without a word. */
  public void cut() {
    try {
      server.close();
    } catch (IOException e) {
      // Closing a server socket has nothing left to fail on that matters here.
    }
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Already closed by the other side.
      }
    }
    sockets.clear();
  }

  @Override
  public void close() {
    cut();
    try {
      acceptor.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Thread startAcceptor(ServerSocket listening) {
    return Thread.ofVirtual().name("tcp-proxy-accept").start(() -> accept(listening));
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      Socket client;
      try {
        client = listening.accept();
      } catch (IOException closed) {
        return;
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
      if (listening.isClosed()) {
        // cut() ran between accept() and here and did not see these two.
        closeQuietly(client);
        closeQuietly(upstream);
        return;
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
