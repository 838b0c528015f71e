package dev.graft.bundle;

import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Director metadata addressed to another gateway. */
public final class WrongGatewayException extends TrustException {
  private static final long serialVersionUID = 1L;

  private final String role;
  private final long version;
  private final @Nullable String addressedTo;
  private final String gatewayId;

  private WrongGatewayException(
      String role, long version, @Nullable String addressedTo, String gatewayId) {
    super(
        "director "
            + role
            + " metadata version "
            + version
            + " is addressed to "
            + (addressedTo == null ? "no gateway" : "'" + addressedTo + "'")
            + ", not to this gateway '"
            + gatewayId
            + "'; refusing it");
    this.role = role;
    this.version = version;
    this.addressedTo = addressedTo;
    this.gatewayId = gatewayId;
  }

  /**
   * Director {@code role} metadata at {@code version} is addressed to {@code addressedTo} (null: to
   * no gateway), not to {@code gatewayId}.
   */
  public static WrongGatewayException of(
      String role, long version, @Nullable String addressedTo, String gatewayId) {
    return new WrongGatewayException(role, version, addressedTo, gatewayId);
  }

  public String role() {
    return role;
  }

  public long version() {
    return version;
  }

  /** The gateway the metadata names, empty when it names none. */
  public Optional<String> addressedTo() {
    return Optional.ofNullable(addressedTo);
  }

  /** This gateway's id. */
  public String gatewayId() {
    return gatewayId;
  }
}
