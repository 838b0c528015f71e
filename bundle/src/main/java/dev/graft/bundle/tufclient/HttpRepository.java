package dev.graft.bundle.tufclient;

import dev.graft.bundle.EndlessDataException;
import dev.graft.bundle.RepositoryException;
import dev.graft.bundle.tuf.Repository;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A TUF repository over HTTP(S): metadata as {@code <metadata base>[version.]<role>.json}, targets
 * as {@code <target base><path>}, names percent-encoded by {@link PercentEncoding}. Bodies are
 * streamed and never read beyond the length the caller allows, and every request has a deadline
 * that covers the whole exchange, headers and body — the slow-retrieval attack ends there.
 */
public final class HttpRepository implements Repository, AutoCloseable {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private static final String USER_AGENT = "graft-tuf-client";
  private static final int READ_CHUNK = 16 * 1024;
  // The largest array the JVM reliably allocates; Repository returns byte[].
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final URI metadataBase;
  private final @Nullable URI targetBase;
  private final Duration requestTimeout;
  private final HttpClient client;

  private HttpRepository(Builder builder) {
    this.metadataBase =
        baseUrl(Objects.requireNonNull(builder.metadataBase, "metadata base URL"), "metadata");
    this.targetBase = builder.targetBase == null ? null : baseUrl(builder.targetBase, "target");
    this.requestTimeout = builder.requestTimeout;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(builder.connectTimeout)
            .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public Optional<byte[]> fetchMetadata(String roleName, OptionalLong version, long maxLength) {
    String fileName =
        (version.isPresent() ? version.getAsLong() + "." : "")
            + PercentEncoding.segment(roleName)
            + ".json";
    return get(URI.create(metadataBase + fileName), maxLength);
  }

  @Override
  public byte[] fetchTarget(String path, long maxLength) {
    URI base = targetBase;
    if (base == null) {
      throw new IllegalStateException("this repository was built without a target base URL");
    }
    String encoded;
    try {
      encoded = PercentEncoding.targetPath(path);
    } catch (IllegalArgumentException e) {
      throw new RepositoryException(String.valueOf(e.getMessage()), e);
    }
    URI uri = URI.create(base + encoded);
    return get(uri, maxLength)
        .orElseThrow(() ->
            new RepositoryException(
                "the repository has no target '" + path + "' (" + uri + " answered HTTP 404)"));
  }

  private Optional<byte[]> get(URI uri, long maxLength) {
    long deadline = System.nanoTime() + requestTimeout.toNanos();
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(requestTimeout)
            .header("User-Agent", USER_AGENT)
            .GET()
            .build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      throw slowRetrieval(uri, e);
    } catch (IOException e) {
      throw new RepositoryException("cannot fetch " + uri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RepositoryException("interrupted while fetching " + uri, e);
    }
    try (InputStream body = response.body()) {
      int status = response.statusCode();
      if (status == 404) {
        return Optional.empty();
      }
      if (status != 200) {
        throw new RepositoryException(uri + " answered HTTP " + status + ", expected 200");
      }
      OptionalLong declared = response.headers().firstValueAsLong("Content-Length");
      if (declared.isPresent() && declared.getAsLong() > maxLength) {
        throw EndlessDataException.of(
            uri + " (by its Content-Length)", maxLength, declared.getAsLong());
      }
      return Optional.of(readCapped(body, uri, maxLength, deadline));
    } catch (IOException e) {
      // Only closing the body can get here; the bytes (if any) were already read in full.
      throw new RepositoryException("cannot finish fetching " + uri + ": " + e, e);
    }
  }

  /**
   * Reads at most {@code maxLength + 1} bytes: one more than allowed proves the body is too long
   * without reading the rest. A watchdog closes the stream at the deadline, which ends a read that
   * is waiting for a server that stalls after its headers.
   */
  private byte[] readCapped(InputStream body, URI uri, long maxLength, long deadline) {
    long remaining = deadline - System.nanoTime();
    if (remaining <= 0) {
      throw slowRetrieval(uri, null);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    Thread watchdog =
        Thread.ofVirtual()
            .name("http-deadline")
            .start(() -> {
              try {
                Thread.sleep(Duration.ofNanos(remaining));
              } catch (InterruptedException e) {
                return; // the read finished in time
              }
              timedOut.set(true);
              try {
                body.close();
              } catch (IOException ignored) {
                // The reader fails on the closed stream, which is all that is needed.
              }
            });
    long limit = Math.min(maxLength, MAX_ARRAY - 1) + 1;
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, READ_CHUNK));
    byte[] chunk = new byte[READ_CHUNK];
    try {
      long total = 0;
      while (total < limit) {
        int n = body.read(chunk, 0, (int) Math.min(chunk.length, limit - total));
        if (n < 0) {
          break;
        }
        out.write(chunk, 0, n);
        total += n;
      }
      if (total > maxLength || total >= MAX_ARRAY) {
        throw EndlessDataException.longerThan(uri.toString(), maxLength);
      }
      return out.toByteArray();
    } catch (IOException e) {
      if (timedOut.get()) {
        throw slowRetrieval(uri, e);
      }
      throw new RepositoryException("cannot read the body of " + uri + ": " + e, e);
    } finally {
      watchdog.interrupt();
    }
  }

  private RepositoryException slowRetrieval(URI uri, @Nullable Exception cause) {
    String message =
        "slow retrieval: "
            + uri
            + " did not complete within "
            + requestTimeout.toMillis()
            + " ms — possible slow-retrieval attack";
    return cause == null
        ? new RepositoryException(message)
        : new RepositoryException(message, cause);
  }

  private static URI baseUrl(String text, String what) {
    URI uri;
    try {
      uri = new URI(text.endsWith("/") ? text : text + "/");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          what + " base URL '" + text + "' is not a valid URL: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          what + " base URL '" + text + "' must be an http:// or https:// URL");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(what + " base URL '" + text + "' has no host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          what + " base URL '" + text + "' must not have a query or fragment");
    }
    return uri;
  }

  @Override
  public void close() {
    client.close();
  }

  /** Builds an {@link HttpRepository}; the metadata base URL is required. */
  public static final class Builder {
    private @Nullable String metadataBase;
    private @Nullable String targetBase;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;

    private Builder() {}

    /** Where {@code [version.]role.json} files live; a missing trailing {@code /} is added. */
    public Builder metadataBaseUrl(String url) {
      this.metadataBase = url;
      return this;
    }

    /** Where target files live; needed only to download targets. */
    public Builder targetBaseUrl(String url) {
      this.targetBase = url;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connect timeout");
      return this;
    }

    /** The deadline for one whole request: connecting, headers and the complete body. */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "request timeout");
      return this;
    }

    public HttpRepository build() {
      return new HttpRepository(this);
    }

    private static Duration positive(Duration timeout, String what) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, was " + timeout);
      }
      return timeout;
    }
  }
}
