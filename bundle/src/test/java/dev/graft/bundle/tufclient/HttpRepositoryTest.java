package dev.graft.bundle.tufclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.testing.RecordingServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stalling and endless servers must never hang the build: each test is bounded. */
@Timeout(20)
class HttpRepositoryTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

  private final RecordingServer server = new RecordingServer();

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpRepository repository(Duration requestTimeout) {
    return HttpRepository.builder()
        .metadataBaseUrl(server.url("/test%20repo/metadata"))
        .targetBaseUrl(server.url("/test%20repo/targets/"))
        .requestTimeout(requestTimeout)
        .build();
  }

  private HttpRepository repository() {
    return repository(Duration.ofSeconds(10));
  }

  @Test
  void fetchMetadata_versionedRole_requestsVersionDotEncodedNameUnderBase() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.of(HELLO)));
    try (HttpRepository repository = repository()) {
      assertThat(repository.fetchMetadata("root", OptionalLong.of(2), 100)).contains(HELLO);
      assertThat(repository.fetchMetadata("timestamp", OptionalLong.empty(), 100)).contains(HELLO);
      repository.fetchMetadata("../a/b c", OptionalLong.of(1), 100);
      repository.fetchMetadata("ü%?#", OptionalLong.empty(), 100);
    }
    assertThat(server.requests())
        .containsExactly(
            "/test%20repo/metadata/2.root.json",
            "/test%20repo/metadata/timestamp.json",
            "/test%20repo/metadata/1...%2Fa%2Fb%20c.json",
            "/test%20repo/metadata/%C3%BC%25%3F%23.json");
  }

  @Test
  void fetchMetadata_notFound_isEmpty() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.empty()));
    try (HttpRepository repository = repository()) {
      assertThat(repository.fetchMetadata("root", OptionalLong.of(3), 100)).isEmpty();
    }
  }

  @Test
  void fetchTarget_notFound_throwsNamingPathAndUrl() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.empty()));
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchTarget("dir/x.bin", 100))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("'dir/x.bin'")
          .hasMessageContaining(server.url("/test%20repo/targets/dir/x.bin"))
          .hasMessageContaining("404");
    }
  }

  @Test
  void fetch_serverError_throwsNamingUrlAndStatus() {
    server.handle("/", exchange -> exchange.sendResponseHeaders(500, -1));
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchMetadata("root", OptionalLong.of(2), 100))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining(server.url("/test%20repo/metadata/2.root.json"))
          .hasMessageContaining("HTTP 500");
      assertThatThrownBy(() -> repository.fetchTarget("a.bin", 100))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("HTTP 500");
    }
  }

  @Test
  void fetch_redirect_isNotFollowed() {
    server.handle(
        "/",
        exchange -> {
          exchange.getResponseHeaders().add("Location", server.url("/elsewhere"));
          exchange.sendResponseHeaders(302, -1);
        });
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchTarget("a.bin", 100))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("HTTP 302");
    }
    assertThat(server.requests()).containsExactly("/test%20repo/targets/a.bin");
  }

  @Test
  void fetchTarget_pathSegments_percentEncodedWithSeparatorsKept() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.of(HELLO)));
    try (HttpRepository repository = repository()) {
      assertThat(repository.fetchTarget("dir/ü x/abc.1.bin", 5)).isEqualTo(HELLO);
    }
    assertThat(server.requests()).containsExactly("/test%20repo/targets/dir/%C3%BC%20x/abc.1.bin");
  }

  @Test
  void fetchTarget_dotDotSegment_refusedWithoutRequest() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.of(HELLO)));
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchTarget("../secret", 5))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("'..' segment");
    }
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void fetch_bodyOfExactlyMaxLength_accepted_oneByteMore_refused() {
    server.handle("/", exchange -> RecordingServer.respond(exchange, Optional.of(HELLO)));
    try (HttpRepository repository = repository()) {
      assertThat(repository.fetchTarget("a.bin", 5)).isEqualTo(HELLO);
      assertThatThrownBy(() -> repository.fetchTarget("a.bin", 4))
          .isInstanceOf(EndlessDataException.class)
          .hasMessageContaining(
              "is 5 bytes, more than the 4 bytes allowed — possible endless-data attack;"
                  + " refusing it");
    }
  }

  @Test
  void fetch_endlessChunkedBody_stopsReadingAfterCap() {
    AtomicLong written = new AtomicLong();
    long offered = 1L << 30;
    server.handle("/", exchange -> endless(exchange, 0, offered, written));
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchMetadata("timestamp", OptionalLong.empty(), 1024))
          .isInstanceOf(EndlessDataException.class)
          .hasMessageContaining("1024 bytes allowed");
    }
    // The server could have sent 1 GiB; the client stopped after its 1 KiB cap, so only what
    // fit into socket buffers before the connection closed was ever written.
    assertThat(written.get()).isLessThan(offered / 16);
  }

  @Test
  void fetch_announcedLengthOverCap_refusedBeforeReadingBody() {
    AtomicLong written = new AtomicLong();
    long announced = 1L << 30;
    server.handle("/", exchange -> endless(exchange, announced, announced, written));
    try (HttpRepository repository = repository()) {
      assertThatThrownBy(() -> repository.fetchTarget("big.bin", 1024))
          .isInstanceOf(EndlessDataException.class)
          .hasMessageContaining("(by its Content-Length) is " + announced + " bytes");
    }
    assertThat(written.get()).isLessThan(announced / 16);
  }

  @Test
  void fetch_serverStallsAfterHeaders_slowRetrievalWithinDeadline() {
    server.handle(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(200, 0);
          OutputStream out = exchange.getResponseBody();
          out.write(HELLO);
          out.flush();
          awaitRelease();
        });
    long start = System.nanoTime();
    try (HttpRepository repository = repository(Duration.ofMillis(700))) {
      assertThatThrownBy(() -> repository.fetchMetadata("timestamp", OptionalLong.empty(), 1024))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("slow retrieval")
          .hasMessageContaining("700 ms");
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    assertThat(elapsed).isBetween(Duration.ofMillis(600), Duration.ofSeconds(5));
  }

  @Test
  void fetch_serverNeverAnswers_slowRetrieval() {
    server.handle("/", exchange -> awaitRelease());
    try (HttpRepository repository = repository(Duration.ofMillis(500))) {
      assertThatThrownBy(() -> repository.fetchTarget("a.bin", 1024))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining("slow retrieval")
          .hasMessageContaining("a.bin");
    }
  }

  @Test
  void fetch_connectionRefused_throwsNamingUrl() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port + "/metadata/";
    try (HttpRepository repository = HttpRepository.builder().metadataBaseUrl(base).build()) {
      assertThatThrownBy(() -> repository.fetchMetadata("root", OptionalLong.of(2), 100))
          .isInstanceOf(RepositoryException.class)
          .hasMessageContaining(base + "2.root.json");
    }
  }

  @Test
  void build_badBaseUrls_refusedWithReason() {
    assertThatThrownBy(() -> HttpRepository.builder().metadataBaseUrl("ftp://h/m/").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http:// or https://");
    assertThatThrownBy(() -> HttpRepository.builder().metadataBaseUrl("http://h/m?x=1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("query");
    assertThatThrownBy(() -> HttpRepository.builder().metadataBaseUrl("not a url").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid URL");
    assertThatThrownBy(() -> HttpRepository.builder().requestTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("request timeout");
  }

  private void awaitRelease() {
    try {
      server.released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes zeros until {@code total} bytes or until the client goes away, counting them. */
  private static void endless(HttpExchange exchange, long declared, long total, AtomicLong written)
      throws IOException {
    exchange.sendResponseHeaders(200, declared);
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream out = exchange.getResponseBody()) {
      while (written.get() < total) {
        out.write(chunk);
        written.addAndGet(chunk.length);
      }
    } catch (IOException e) {
      // The client closed the connection: exactly what the test expects.
    }
  }
}
