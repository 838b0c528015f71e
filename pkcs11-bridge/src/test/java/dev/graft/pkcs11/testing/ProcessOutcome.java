package dev.graft.pkcs11.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How a finished command-line tool ended, for tests that cross-check with pkcs11-tool or openssl.
 */
public record ProcessOutcome(int status, String stdout, String stderr) {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  /** Runs {@code builder} to its end, or kills it after 30 s and fails. */
  public static ProcessOutcome run(ProcessBuilder builder) {
    try {
      Process process = builder.redirectInput(ProcessBuilder.Redirect.PIPE).start();
      process.getOutputStream().close();
      // Both streams drain at once, or a chatty tool blocks on a full pipe.
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      if (!process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(builder.command().getFirst() + " ran longer than " + LIMIT);
      }
      return new ProcessOutcome(process.exitValue(), out.get(), err.get());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + builder.command().getFirst(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Fails with the tool's stderr unless it exited with status 0. */
  public ProcessOutcome requireSuccess() {
    if (status != 0) {
      throw new AssertionError("exit status " + status + "; stderr:\n" + stderr);
    }
    return this;
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
