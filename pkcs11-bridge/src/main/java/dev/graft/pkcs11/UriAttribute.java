package dev.graft.pkcs11;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The attributes RFC 7512 defines, in the order Graft writes them, with the component each belongs
 * to and the kind of value it holds.
 */
enum UriAttribute {
  TOKEN("token", Component.PATH, Kind.TEXT),
  MANUFACTURER("manufacturer", Component.PATH, Kind.TEXT),
  SERIAL("serial", Component.PATH, Kind.TEXT),
  MODEL("model", Component.PATH, Kind.TEXT),
  LIBRARY_MANUFACTURER("library-manufacturer", Component.PATH, Kind.TEXT),
  LIBRARY_DESCRIPTION("library-description", Component.PATH, Kind.TEXT),
  LIBRARY_VERSION("library-version", Component.PATH, Kind.VERSION),
  SLOT_MANUFACTURER("slot-manufacturer", Component.PATH, Kind.TEXT),
  SLOT_DESCRIPTION("slot-description", Component.PATH, Kind.TEXT),
  SLOT_ID("slot-id", Component.PATH, Kind.SLOT_ID),
  OBJECT("object", Component.PATH, Kind.TEXT),
  TYPE("type", Component.PATH, Kind.TYPE),
  ID("id", Component.PATH, Kind.BYTES),
  PIN_SOURCE("pin-source", Component.QUERY, Kind.TEXT),
  PIN_VALUE("pin-value", Component.QUERY, Kind.SECRET),
  MODULE_NAME("module-name", Component.QUERY, Kind.TEXT),
  MODULE_PATH("module-path", Component.QUERY, Kind.ABSOLUTE_PATH);

  /** The two components of a PKCS#11 URI: the path before {@code ?}, the query after it. */
  enum Component {
    PATH(';'),
    QUERY('&');

    final char separator;

    Component(char separator) {
      this.separator = separator;
    }
  }

  /** How a value is checked and stored. */
  enum Kind {
    /** UTF-8 text after percent-decoding. */
    TEXT,
    /** UTF-8 text that is never shown: the PIN. */
    SECRET,
    /** Raw bytes after percent-decoding: the object id. */
    BYTES,
    /** One of the object type words, written literally. */
    TYPE,
    /** {@code 1*DIGIT ["." 1*DIGIT]}, written literally. */
    VERSION,
    /** {@code 1*DIGIT}, a CK_SLOT_ID (unsigned 64-bit on Linux x86-64), written literally. */
    SLOT_ID,
    /** UTF-8 text naming an absolute file system path. */
    ABSOLUTE_PATH
  }

  private static final Map<String, UriAttribute> BY_NAME =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(a -> a.wire, Function.identity()));

  final String wire;
  final Component component;
  final Kind kind;

  UriAttribute(String wire, Component component, Kind kind) {
    this.wire = wire;
    this.component = component;
    this.kind = kind;
  }

  /** The standard attribute with this exact (case-sensitive) name. */
  static Optional<UriAttribute> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Whether {@code name} is a vendor attribute name as Graft accepts them: {@code x-} and more. */
  static boolean isVendorName(String name) {
    return name.length() > 2 && name.startsWith("x-") && isNameSyntax(name);
  }

  /** {@code 1*pk11-v-attr-nm-char}: letters, digits, {@code -} and {@code _}. */
  static boolean isNameSyntax(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
