package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_APPLICATION;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_MODIFIABLE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_PRIVATE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_TOKEN;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_VALUE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKO_DATA;

import dev.graft.pkcs11.internal.Attribute;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Graft's data objects on a token ({@code CKO_DATA}), told apart by {@code CKA_APPLICATION}: the
 * wrapped ML-DSA halves of composite keys and trust anchors. They are always private token objects:
 * tpm2-pkcs11 creates no other data objects, and on every token a private object is one that only
 * the PIN holder can read, create or delete.
 */
final class TokenDataObjects {
  private TokenDataObjects() {}

  /** One data object of an application, with its label and value as read. */
  static final class Found {
    private final TokenObject object;
    private final String label;
    private final byte[] value;

    Found(TokenObject object, String label, byte[] value) {
      this.object = object;
      this.label = label;
      this.value = value.clone();
    }

    TokenObject object() {
      return object;
    }

    String label() {
      return label;
    }

    byte[] value() {
      return value.clone();
    }
  }

  /**
   * Creates a private token data object; with {@code unmodifiable} it is created with {@code
   * CKA_MODIFIABLE} false, and a token that refuses that makes this fail.
   */
  static TokenObject create(
      TokenSession session, String label, String application, byte[] value, boolean unmodifiable) {
    List<Attribute> template = new ArrayList<>();
    template.add(Attribute.of(CKA_CLASS, CKO_DATA));
    template.add(Attribute.of(CKA_TOKEN, true));
    template.add(Attribute.of(CKA_PRIVATE, true));
    if (unmodifiable) {
      template.add(Attribute.of(CKA_MODIFIABLE, false));
    }
    template.add(Attribute.of(CKA_LABEL, label));
    template.add(Attribute.of(CKA_APPLICATION, application));
    template.add(Attribute.of(CKA_VALUE, value));
    return session.createObject(template);
  }

  /** Every data object the session sees whose {@code CKA_APPLICATION} is {@code application}. */
  static List<Found> find(TokenSession session, String application) {
    byte[] wanted = application.getBytes(StandardCharsets.UTF_8);
    List<Found> found = new ArrayList<>();
    for (TokenObject object : session.find(ObjectQuery.all().ofClass(CKO_DATA))) {
      boolean ours =
          session
              .attribute(object, CKA_APPLICATION)
              .map(a -> Arrays.equals(a, wanted))
              .orElse(false);
      if (ours) {
        found.add(
            new Found(
                object,
                session.label(object).orElse(""),
                session.attribute(object, CKA_VALUE).orElse(new byte[0])));
      }
    }
    return List.copyOf(found);
  }
}
