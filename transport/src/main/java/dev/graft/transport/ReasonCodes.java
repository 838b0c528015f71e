package dev.graft.transport;

/** MQTT 5 reason codes (OASIS MQTT 5.0, section 2.4) as people read them. */
final class ReasonCodes {
  static final int SUCCESS = 0x00;
  static final int NO_MATCHING_SUBSCRIBERS = 0x10;
  static final int NOT_AUTHORIZED = 0x87;

  private ReasonCodes() {}

  /** Whether a PUBACK or SUBACK code means the operation failed (0x80 and above). */
  static boolean isFailure(int code) {
    return code >= 0x80;
  }

  /** {@code 0x87 "not authorized"}. */
  static String describe(int code) {
    return String.format("0x%02x \"%s\"", code, name(code));
  }

  static String name(int code) {
    return switch (code) {
      case 0x00 -> "success";
      case 0x01 -> "granted QoS 1";
      case 0x02 -> "granted QoS 2";
      case 0x10 -> "no matching subscribers";
      case 0x80 -> "unspecified error";
      case 0x81 -> "malformed packet";
      case 0x82 -> "protocol error";
      case 0x83 -> "implementation specific error";
      case 0x87 -> "not authorized";
      case 0x89 -> "server busy";
      case 0x8f -> "topic filter invalid";
      case 0x90 -> "topic name invalid";
      case 0x91 -> "packet identifier in use";
      case 0x95 -> "packet too large";
      case 0x97 -> "quota exceeded";
      case 0x99 -> "payload format invalid";
      case 0x9a -> "retain not supported";
      case 0x9b -> "QoS not supported";
      case 0x9e -> "shared subscriptions not supported";
      case 0xa1 -> "subscription identifiers not supported";
      case 0xa2 -> "wildcard subscriptions not supported";
      default -> "unknown reason code";
    };
  }

  static String hint(int code) {
    return switch (code) {
      case 0x87 ->
          "; the broker's ACL does not let this identity use that topic (see"
              + " deploy/mosquitto/acl)";
      case 0x95 -> "; raise the broker's max_packet_size or publish smaller chunks";
      case 0x97 -> "; the broker's queue or quota is full, retry later";
      default -> "";
    };
  }
}
