package dev.graft.pkcs11;

import dev.graft.pkcs11.UriAttribute.Component;
import dev.graft.pkcs11.UriAttribute.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 7512 PKCS#11 URI, such as {@code
 * pkcs11:token=graft-release;object=targets-1?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/etc/graft/pin},
 * parsed strictly: every character is checked against the RFC's grammar, and a URI Graft could
 * misread is refused with a {@link Pkcs11UriException} rather than guessed at.
 *
 * <p>Where Graft is stricter than RFC 7512, deliberately, to catch mistakes before they reach a
 * token:
 *
 * <ul>
 *   <li>Attribute names must be those the RFC defines, or vendor attributes starting with {@code
 *       x-}. The RFC allows any other name as a vendor attribute (its last example uses {@code
 *       vendor-aaa}); Graft refuses such names so that a misspelt {@code objet=} or {@code
 *       pin-sorce=} is reported instead of silently matching nothing.
 *   <li>An {@code &} in the path, or a {@code ;} or second {@code ?} in the query, followed by an
 *       attribute name and {@code =} is refused: {@code object=a&pin-value=1234} is legal (the
 *       label {@code a&pin-value=1234}) but almost surely a forgotten {@code ?}, and would carry
 *       the PIN into every place the label is shown. Such characters in values are written
 *       percent-encoded.
 *   <li>No attribute may appear twice, not even a vendor attribute in the query (which the RFC
 *       allows).
 *   <li>{@code pin-source} and {@code pin-value} together are refused: it would be unclear which
 *       PIN is meant.
 *   <li>{@code module-path} must be absolute: a relative one would load whatever library the
 *       working directory holds.
 *   <li>Text attributes must be valid UTF-8 after percent-decoding and must not hold {@code %00}: a
 *       NUL would cut the text short in the C code it is handed to ({@code dlopen} for {@code
 *       module-path}). {@code id} is raw bytes and may hold any byte, {@code %00} included.
 * </ul>
 *
 * <p>Instances are immutable. {@link #toString()} and {@link #toRedactedUriString()} never show a
 * {@code pin-value}; {@link #toUriString()} does, since it is the URI itself.
 */
public final class Pkcs11Uri {
  /** Longer input is refused before it is looked at: no sensible URI comes near it. */
  public static final int MAX_LENGTH = 8192;

  /**
   * Written in place of a {@code pin-value} wherever a URI is shown. Its angle brackets are not
   * allowed in a URI, so a redacted URI pasted back is refused rather than tried as a PIN (failed
   * logins can lock a token).
   */
  public static final String REDACTED = "<redacted>";

  static final String SCHEME = "pkcs11:";

  private static final Pattern VERSION = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  /** The values of {@code type}: the PKCS#11 object classes a URI can name. */
  public enum ObjectType {
    PUBLIC("public"),
    PRIVATE("private"),
    CERT("cert"),
    SECRET_KEY("secret-key"),
    DATA("data");

    private final String word;

    ObjectType(String word) {
      this.word = word;
    }

    /** The value as written in a URI. */
    public String word() {
      return word;
    }

    static Optional<ObjectType> fromWord(String word) {
      for (ObjectType type : values()) {
        if (type.word.equals(word)) {
          return Optional.of(type);
        }
      }
      return Optional.empty();
    }
  }

  private final EnumMap<UriAttribute, String> values;
  private final byte @Nullable [] id;
  private final SortedMap<String, String> vendorPath;
  private final SortedMap<String, String> vendorQuery;

  private Pkcs11Uri(Builder builder) {
    this.values = new EnumMap<>(builder.values);
    this.id = builder.id == null ? null : builder.id.clone();
    this.vendorPath = Collections.unmodifiableSortedMap(new TreeMap<>(builder.vendorPath));
    this.vendorQuery = Collections.unmodifiableSortedMap(new TreeMap<>(builder.vendorQuery));
  }

  /**
   * Parses a PKCS#11 URI. The scheme is matched without regard to case (RFC 3986); attribute names
   * and the words of {@code type} are case-sensitive.
   *
   * @throws Pkcs11UriException when the text is not a PKCS#11 URI Graft accepts; the message says
   *     what is wrong and where, and never shows a {@code pin-value}
   */
  public static Pkcs11Uri parse(String text) {
    return Pkcs11UriParser.parse(text);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<String> token() {
    return text(UriAttribute.TOKEN);
  }

  public Optional<String> manufacturer() {
    return text(UriAttribute.MANUFACTURER);
  }

  public Optional<String> serial() {
    return text(UriAttribute.SERIAL);
  }

  public Optional<String> model() {
    return text(UriAttribute.MODEL);
  }

  public Optional<String> libraryManufacturer() {
    return text(UriAttribute.LIBRARY_MANUFACTURER);
  }

  public Optional<String> libraryDescription() {
    return text(UriAttribute.LIBRARY_DESCRIPTION);
  }

  /** {@code library-version} as written: {@code major} or {@code major.minor}, in decimal. */
  public Optional<String> libraryVersion() {
    return text(UriAttribute.LIBRARY_VERSION);
  }

  public Optional<String> slotManufacturer() {
    return text(UriAttribute.SLOT_MANUFACTURER);
  }

  public Optional<String> slotDescription() {
    return text(UriAttribute.SLOT_DESCRIPTION);
  }

  /**
   * {@code slot-id}, a {@code CK_SLOT_ID}, as an unsigned 64-bit value: values above {@link
   * Long#MAX_VALUE} come back negative; {@link Long#toUnsignedString(long)} shows them.
   */
  public OptionalLong slotId() {
    String slot = values.get(UriAttribute.SLOT_ID);
    return slot == null ? OptionalLong.empty() : OptionalLong.of(Long.parseUnsignedLong(slot));
  }

  /** {@code object}: the object's label ({@code CKA_LABEL}). */
  public Optional<String> object() {
    return text(UriAttribute.OBJECT);
  }

  public Optional<ObjectType> type() {
    return text(UriAttribute.TYPE).flatMap(ObjectType::fromWord);
  }

  /** {@code id}: the object's {@code CKA_ID} bytes (a copy). */
  public Optional<byte[]> id() {
    return id == null ? Optional.empty() : Optional.of(id.clone());
  }

  /**
   * {@code pin-source} as written, for example {@code file:/etc/graft/pin}; see {@link PinSource}.
   */
  public Optional<String> pinSource() {
    return text(UriAttribute.PIN_SOURCE);
  }

  /**
   * {@code pin-value}: the PIN itself. RFC 7512 allows it and Graft accepts it, but a PIN in a URI
   * ends up in shell histories and process lists; prefer {@code pin-source}.
   */
  public Optional<String> pinValue() {
    return text(UriAttribute.PIN_VALUE);
  }

  public Optional<String> moduleName() {
    return text(UriAttribute.MODULE_NAME);
  }

  /** {@code module-path}: the PKCS#11 library to load, always absolute. */
  public Optional<Path> modulePath() {
    return text(UriAttribute.MODULE_PATH).map(Path::of);
  }

  /** Vendor attributes ({@code x-…}) of the path, by name. */
  public SortedMap<String, String> vendorPathAttributes() {
    return vendorPath;
  }

  /** Vendor attributes ({@code x-…}) of the query, by name. */
  public SortedMap<String, String> vendorQueryAttributes() {
    return vendorQuery;
  }

  /**
   * This URI, when it names a key the way Graft needs: the token by {@code token} or {@code
   * serial}, and the key on it by {@code object} or {@code id}. An empty {@code pkcs11:} is a valid
   * URI (it matches everything) but picks no key.
   *
   * @throws Pkcs11UriException naming what is missing
   */
  public Pkcs11Uri requireKeyReference() {
    boolean hasToken =
        values.containsKey(UriAttribute.TOKEN) || values.containsKey(UriAttribute.SERIAL);
    boolean hasObject = values.containsKey(UriAttribute.OBJECT) || id != null;
    if (hasToken && hasObject) {
      return this;
    }
    String missing;
    if (!hasToken && !hasObject) {
      missing = "it has neither token= (or serial=) nor object= (or id=)";
    } else if (!hasToken) {
      missing = "it has no token= (or serial=) to pick the token";
    } else {
      missing = "it has no object= (or id=) to pick the key on the token";
    }
    throw new Pkcs11UriException(
        "PKCS#11 URI \""
            + toRedactedUriString()
            + "\" does not name a key: Graft needs token= (or serial=) to pick the token and"
            + " object= (or id=) to pick the key, and "
            + missing);
  }

  /**
   * The URI in Graft's canonical form: standard attributes in a fixed order, vendor attributes
   * sorted by name, every byte outside the characters RFC 7512 allows percent-encoded as upper-case
   * {@code %XX}, and {@code id} encoded byte by byte. Parsing it gives an equal URI. Holds the
   * {@code pin-value}, if any: show {@link #toRedactedUriString()} instead.
   */
  public String toUriString() {
    return format(false);
  }

  /** {@link #toUriString()} with any {@code pin-value} replaced by {@link #REDACTED}. */
  public String toRedactedUriString() {
    return format(true);
  }

  /** The redacted URI: never shows a {@code pin-value}. */
  @Override
  public String toString() {
    return toRedactedUriString();
  }

  /** Equal when every attribute is; the PINs, if any, are compared in constant time. */
  @Override
  public boolean equals(@Nullable Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Pkcs11Uri that)) {
      return false;
    }
    if (!values.keySet().equals(that.values.keySet())) {
      return false;
    }
    for (Map.Entry<UriAttribute, String> entry : values.entrySet()) {
      String theirs = Objects.requireNonNull(that.values.get(entry.getKey()));
      boolean same =
          entry.getKey() == UriAttribute.PIN_VALUE
              ? MessageDigest.isEqual(
                  entry.getValue().getBytes(StandardCharsets.UTF_8),
                  theirs.getBytes(StandardCharsets.UTF_8))
              : entry.getValue().equals(theirs);
      if (!same) {
        return false;
      }
    }
    return Arrays.equals(id, that.id)
        && vendorPath.equals(that.vendorPath)
        && vendorQuery.equals(that.vendorQuery);
  }

  /** Leaves the PIN out, so the hash says nothing about it. */
  @Override
  public int hashCode() {
    int hash = Arrays.hashCode(id);
    for (Map.Entry<UriAttribute, String> entry : values.entrySet()) {
      if (entry.getKey() != UriAttribute.PIN_VALUE) {
        hash = 31 * hash + entry.getKey().wire.hashCode() * 17 + entry.getValue().hashCode();
      }
    }
    return 31 * (31 * hash + vendorPath.hashCode()) + vendorQuery.hashCode();
  }

  private Optional<String> text(UriAttribute attribute) {
    return Optional.ofNullable(values.get(attribute));
  }

  private String format(boolean redact) {
    StringBuilder out = new StringBuilder(SCHEME);
    int written = 0;
    for (UriAttribute attribute : UriAttribute.values()) {
      if (attribute.component != Component.PATH) {
        continue;
      }
      if (attribute == UriAttribute.ID) {
        if (id != null) {
          out.append(written++ == 0 ? "" : ";").append("id=");
          PercentCoding.encodeEveryByte(id, out);
        }
        continue;
      }
      String value = values.get(attribute);
      if (value != null) {
        out.append(written++ == 0 ? "" : ";").append(attribute.wire).append('=');
        PercentCoding.encode(value.getBytes(StandardCharsets.UTF_8), Component.PATH, out);
      }
    }
    for (Map.Entry<String, String> vendor : vendorPath.entrySet()) {
      out.append(written++ == 0 ? "" : ";").append(vendor.getKey()).append('=');
      PercentCoding.encode(vendor.getValue().getBytes(StandardCharsets.UTF_8), Component.PATH, out);
    }
    written = 0;
    for (UriAttribute attribute : UriAttribute.values()) {
      String value = values.get(attribute);
      if (attribute.component != Component.QUERY || value == null) {
        continue;
      }
      out.append(written++ == 0 ? "?" : "&").append(attribute.wire).append('=');
      if (redact && attribute.kind == Kind.SECRET) {
        out.append(REDACTED);
      } else {
        PercentCoding.encode(value.getBytes(StandardCharsets.UTF_8), Component.QUERY, out);
      }
    }
    for (Map.Entry<String, String> vendor : vendorQuery.entrySet()) {
      out.append(written++ == 0 ? "?" : "&").append(vendor.getKey()).append('=');
      PercentCoding.encode(
          vendor.getValue().getBytes(StandardCharsets.UTF_8), Component.QUERY, out);
    }
    return out.toString();
  }

  /**
   * What is wrong with a decoded value of a standard attribute, as a phrase that follows the
   * attribute's name ("holds …", "is …"), or null when nothing is. Never repeats a secret value.
   */
  static @Nullable String problemWith(UriAttribute attribute, String value) {
    if (value.indexOf('\0') >= 0) {
      return "holds a NUL character (%00), which Graft refuses in text attributes: C code would"
          + " cut the text short there";
    }
    if (!StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
      return "holds an unpaired UTF-16 surrogate, which has no UTF-8 form";
    }
    return switch (attribute.kind) {
      case VERSION ->
          VERSION.matcher(value).matches()
              ? null
              : "is \"" + value + "\", not a version (digits, or digits.digits)";
      case SLOT_ID ->
          isUnsignedLong(value)
              ? null
              : "is \"" + value + "\", not a slot number (decimal, below 2^64)";
      case TYPE ->
          ObjectType.fromWord(value).isPresent()
              ? null
              : "is \"" + value + "\", not one of public, private, cert, secret-key, data";
      case ABSOLUTE_PATH ->
          isAbsolutePath(value)
              ? null
              : "is \""
                  + value
                  + "\", not an absolute path: give the module's full path, for example"
                  + " /usr/lib/softhsm/libsofthsm2.so";
      case TEXT, SECRET, BYTES -> null;
    };
  }

  static boolean isUnsignedLong(String value) {
    if (!DIGITS.matcher(value).matches()) {
      return false;
    }
    try {
      Long.parseUnsignedLong(value);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isAbsolutePath(String value) {
    try {
      return Path.of(value).isAbsolute();
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /**
   * Builds a URI from decoded values, with the checks {@link #parse(String)} applies. Setting an
   * attribute twice keeps the last value.
   */
  public static final class Builder {
    private final EnumMap<UriAttribute, String> values = new EnumMap<>(UriAttribute.class);
    private byte @Nullable [] id;
    private final TreeMap<String, String> vendorPath = new TreeMap<>();
    private final TreeMap<String, String> vendorQuery = new TreeMap<>();

    private Builder() {}

    public Builder token(String label) {
      return set(UriAttribute.TOKEN, label);
    }

    public Builder manufacturer(String manufacturer) {
      return set(UriAttribute.MANUFACTURER, manufacturer);
    }

    public Builder serial(String serial) {
      return set(UriAttribute.SERIAL, serial);
    }

    public Builder model(String model) {
      return set(UriAttribute.MODEL, model);
    }

    public Builder libraryManufacturer(String manufacturer) {
      return set(UriAttribute.LIBRARY_MANUFACTURER, manufacturer);
    }

    public Builder libraryDescription(String description) {
      return set(UriAttribute.LIBRARY_DESCRIPTION, description);
    }

    /** {@code major} or {@code major.minor}, in decimal. */
    public Builder libraryVersion(String version) {
      return set(UriAttribute.LIBRARY_VERSION, version);
    }

    public Builder slotManufacturer(String manufacturer) {
      return set(UriAttribute.SLOT_MANUFACTURER, manufacturer);
    }

    public Builder slotDescription(String description) {
      return set(UriAttribute.SLOT_DESCRIPTION, description);
    }

    /** A {@code CK_SLOT_ID}, read as unsigned. */
    public Builder slotId(long slotId) {
      return set(UriAttribute.SLOT_ID, Long.toUnsignedString(slotId));
    }

    public Builder object(String label) {
      return set(UriAttribute.OBJECT, label);
    }

    public Builder type(ObjectType type) {
      return set(UriAttribute.TYPE, type.word());
    }

    public Builder id(byte[] id) {
      this.id = id.clone();
      return this;
    }

    public Builder pinSource(String pinSource) {
      return set(UriAttribute.PIN_SOURCE, pinSource);
    }

    /** Discouraged: see {@link Pkcs11Uri#pinValue()}. */
    public Builder pinValue(String pin) {
      return set(UriAttribute.PIN_VALUE, pin);
    }

    public Builder moduleName(String name) {
      return set(UriAttribute.MODULE_NAME, name);
    }

    public Builder modulePath(String absolutePath) {
      return set(UriAttribute.MODULE_PATH, absolutePath);
    }

    /** A vendor attribute in the path; its name must start with {@code x-}. */
    public Builder vendorPathAttribute(String name, String value) {
      vendorPath.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    /** A vendor attribute in the query; its name must start with {@code x-}. */
    public Builder vendorQueryAttribute(String name, String value) {
      vendorQuery.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
      return this;
    }

    /**
     * The URI with the attributes set so far.
     *
     * @throws Pkcs11UriException when a value breaks a rule {@link Pkcs11Uri#parse(String)}
     *     enforces; the message never shows a PIN
     */
    public Pkcs11Uri build() {
      for (Map.Entry<UriAttribute, String> entry : values.entrySet()) {
        String problem = problemWith(entry.getKey(), entry.getValue());
        if (problem != null) {
          throw refused("attribute \"" + entry.getKey().wire + "\" " + problem);
        }
      }
      checkVendor(vendorPath);
      checkVendor(vendorQuery);
      if (values.containsKey(UriAttribute.PIN_SOURCE)
          && values.containsKey(UriAttribute.PIN_VALUE)) {
        throw refused("both pin-source and pin-value are set; set one");
      }
      return new Pkcs11Uri(this);
    }

    Builder set(UriAttribute attribute, String value) {
      values.put(attribute, Objects.requireNonNull(value));
      return this;
    }

    private static void checkVendor(Map<String, String> vendor) {
      for (Map.Entry<String, String> entry : vendor.entrySet()) {
        if (!UriAttribute.isVendorName(entry.getKey())) {
          throw refused(
              "vendor attribute name \""
                  + entry.getKey()
                  + "\" must start with \"x-\" and hold only letters, digits, '-' and '_'");
        }
        if (entry.getValue().indexOf('\0') >= 0
            || !StandardCharsets.UTF_8.newEncoder().canEncode(entry.getValue())) {
          throw refused(
              "vendor attribute \""
                  + entry.getKey()
                  + "\" holds a NUL character or an unpaired UTF-16 surrogate");
        }
      }
    }

    private static Pkcs11UriException refused(String problem) {
      return new Pkcs11UriException("cannot build a PKCS#11 URI: " + problem);
    }
  }
}
