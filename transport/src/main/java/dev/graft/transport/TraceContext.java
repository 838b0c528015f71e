package dev.graft.transport;

import java.util.HexFormat;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A W3C Trace Context {@code traceparent} value (version {@code 00}), carried as an MQTT 5 user
 * property named {@link #HEADER} so that one update can be followed from the rollout service
 * through the broker to a gateway.
 *
 * <p>{@link #parse} is strict and never throws: the value comes from the broker, which is
 * untrusted, and a bad one only means "no parent" — the receiver starts a new trace.
 *
 * @param traceId 32 lowercase hex digits, not all zero
 * @param parentId the span id of the sender, 16 lowercase hex digits, not all zero
 * @param flags 2 lowercase hex digits ({@code 01}: sampled)
 */
public record TraceContext(String traceId, String parentId, String flags) {
  /** The user property (and HTTP header) name. */
  public static final String HEADER = "traceparent";

  private static final String VERSION = "00";
  private static final String SAMPLED = "01";
  private static final int LENGTH = 55;
  private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern PARENT_ID = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern FLAGS = Pattern.compile("[0-9a-f]{2}");
  private static final HexFormat HEX = HexFormat.of();

  public TraceContext {
    if (!validTraceId(traceId)) {
      throw new IllegalArgumentException(
          "trace id '" + traceId + "' must be 32 lowercase hex digits, not all zero");
    }
    if (!validParentId(parentId)) {
      throw new IllegalArgumentException(
          "parent id '" + parentId + "' must be 16 lowercase hex digits, not all zero");
    }
    if (!FLAGS.matcher(flags).matches()) {
      throw new IllegalArgumentException(
          "trace flags '" + flags + "' must be 2 lowercase hex digits");
    }
  }

  /**
   * Reads a {@code traceparent} value: {@code 00-<32 hex>-<16 hex>-<2 hex>}, exactly 55 characters,
   * lowercase; other versions, all-zero ids, null and anything else are empty.
   */
  public static Optional<TraceContext> parse(@Nullable String value) {
    if (value == null
        || value.length() != LENGTH
        || !value.startsWith(VERSION + "-")
        || value.charAt(35) != '-'
        || value.charAt(52) != '-') {
      return Optional.empty();
    }
    String traceId = value.substring(3, 35);
    String parentId = value.substring(36, 52);
    String flags = value.substring(53, 55);
    if (!validTraceId(traceId) || !validParentId(parentId) || !FLAGS.matcher(flags).matches()) {
      return Optional.empty();
    }
    return Optional.of(new TraceContext(traceId, parentId, flags));
  }

  /** A new trace (sampled), with random trace and span ids; pass a {@code SecureRandom}. */
  public static TraceContext newRoot(RandomGenerator random) {
    byte[] traceId = new byte[16];
    do {
      fill(random, traceId);
    } while (allZero(traceId));
    return new TraceContext(HEX.formatHex(traceId), newSpanId(random), SAMPLED);
  }

  /** The context for a span started under this one: the same trace and flags, a new span id. */
  public TraceContext child(RandomGenerator random) {
    return new TraceContext(traceId, newSpanId(random), flags);
  }

  /** Whether the sender recorded its span (flag bit 0). */
  public boolean sampled() {
    return (HexFormat.fromHexDigits(flags) & 1) != 0;
  }

  /** The {@code traceparent} value: {@code 00-<trace id>-<parent id>-<flags>}. */
  public String header() {
    return VERSION + "-" + traceId + "-" + parentId + "-" + flags;
  }

  private static String newSpanId(RandomGenerator random) {
    long id;
    do {
      id = random.nextLong();
    } while (id == 0);
    return HEX.toHexDigits(id);
  }

  private static void fill(RandomGenerator random, byte[] bytes) {
    for (int i = 0; i < bytes.length; i += 8) {
      long bits = random.nextLong();
      for (int j = 0; j < 8 && i + j < bytes.length; j++) {
        bytes[i + j] = (byte) (bits >>> (8 * j));
      }
    }
  }

  private static boolean allZero(byte[] bytes) {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean validTraceId(String id) {
    return TRACE_ID.matcher(id).matches() && !id.chars().allMatch(c -> c == '0');
  }

  private static boolean validParentId(String id) {
    return PARENT_ID.matcher(id).matches() && !id.chars().allMatch(c -> c == '0');
  }
}
