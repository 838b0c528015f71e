package dev.graft.signer.cli;

import dev.graft.bundle.keys.KeyType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** The key types {@code graft key generate --type} offers, by the names users type. */
enum KeyKind {
  COMPOSITE("composite", KeyType.MLDSA65_ED25519),
  ED25519("ed25519", KeyType.ED25519),
  ECDSA_P256("ecdsa-p256", KeyType.ECDSA_P256);

  private final String word;
  private final KeyType type;

  KeyKind(String word, KeyType type) {
    this.word = word;
    this.type = type;
  }

  String word() {
    return word;
  }

  KeyType type() {
    return type;
  }

  /** The type words, for messages. */
  static String words() {
    return Arrays.stream(values()).map(KeyKind::word).collect(Collectors.joining(", "));
  }

  /** Reads {@code composite}, {@code ed25519} or {@code ecdsa-p256} (any case). */
  static final class Converter implements CommandLine.ITypeConverter<KeyKind> {
    @Override
    public KeyKind convert(String value) {
      String lower = value.toLowerCase(Locale.ROOT);
      for (KeyKind kind : values()) {
        if (kind.word.equals(lower)) {
          return kind;
        }
      }
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a key type; choose one of " + words());
    }
  }
}
