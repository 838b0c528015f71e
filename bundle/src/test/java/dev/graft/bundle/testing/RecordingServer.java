package dev.graft.bundle.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.graft.bundle.tuf.InMemoryRepository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTP server on 127.0.0.1 that records every request's raw path, in order. It can serve an
 * {@link InMemoryRepository} the way a static TUF repository is served ({@code /metadata/...},
 * {@code /targets/...}, names percent-decoded), or run handlers a test supplies.
 */
public final class RecordingServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<String> requests = new ArrayList<>();

  /** Released on close, so handlers that stall on purpose end with the test. */
  public final CountDownLatch released = new CountDownLatch(1);

  public RecordingServer() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(executor);
    server.start();
  }

  /** A server that serves the repository under {@code /metadata/} and {@code /targets/}. */
  public static RecordingServer serving(InMemoryRepository repository) {
    RecordingServer server = new RecordingServer();
    server.handle(
        "/metadata/",
        exchange -> {
          String name = decode(rawRemainder(exchange, "/metadata/"));
          respond(exchange, repository.metadataFile(name));
        });
    server.handle(
        "/targets/",
        exchange -> {
          String[] segments = rawRemainder(exchange, "/targets/").split("/", -1);
          StringBuilder path = new StringBuilder();
          for (int i = 0; i < segments.length; i++) {
            path.append(i == 0 ? "" : "/").append(decode(segments[i]));
          }
          respond(exchange, repository.targetFile(path.toString()));
        });
    return server;
  }

  public void handle(String context, HttpHandler handler) {
    server.createContext(
        context,
        exchange -> {
          synchronized (requests) {
            requests.add(exchange.getRequestURI().getRawPath());
          }
          try (exchange) {
            handler.handle(exchange);
          }
        });
  }

  public String url(String rawPath) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + rawPath;
  }

  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  public void clearRequests() {
    synchronized (requests) {
      requests.clear();
    }
  }

  public static void respond(HttpExchange exchange, Optional<byte[]> body) throws IOException {
    if (body.isEmpty()) {
      exchange.sendResponseHeaders(404, -1);
      return;
    }
    exchange.sendResponseHeaders(200, body.get().length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body.get());
    }
  }

  private static String rawRemainder(HttpExchange exchange, String prefix) {
    return exchange.getRequestURI().getRawPath().substring(prefix.length());
  }

  /** Strict percent-decoding: only {@code %XX}, never {@code +} as a space. */
  public static String decode(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    released.countDown();
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
