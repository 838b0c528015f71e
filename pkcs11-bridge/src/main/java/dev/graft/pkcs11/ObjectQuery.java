package dev.graft.pkcs11;

import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_CLASS;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_ID;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_KEY_TYPE;
import static dev.graft.pkcs11.internal.Pkcs11Constants.CKA_LABEL;

import dev.graft.pkcs11.internal.Attribute;
import dev.graft.pkcs11.internal.Pkcs11Constants;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * What to look for on a token: any combination of object class, label ({@code CKA_LABEL}), id
 * ({@code CKA_ID}) and key type. Immutable; each {@code with…}/{@code of…} returns a new query.
 *
 * <pre>{@code
 * ObjectQuery.all().ofClass(CKO_PRIVATE_KEY).withLabel("targets-1")
 * }</pre>
 */
public final class ObjectQuery {
  private final @Nullable Long objectClass;
  private final @Nullable String label;
  private final byte @Nullable [] id;
  private final @Nullable Long keyType;

  private ObjectQuery(
      @Nullable Long objectClass,
      @Nullable String label,
      byte @Nullable [] id,
      @Nullable Long keyType) {
    this.objectClass = objectClass;
    this.label = label;
    this.id = id;
    this.keyType = keyType;
  }

  /** Every object the session can see. */
  public static ObjectQuery all() {
    return new ObjectQuery(null, null, null, null);
  }

  public ObjectQuery ofClass(long objectClass) {
    return new ObjectQuery(objectClass, label, id, keyType);
  }

  public ObjectQuery withLabel(String label) {
    return new ObjectQuery(objectClass, label, id, keyType);
  }

  public ObjectQuery withId(byte[] id) {
    return new ObjectQuery(objectClass, label, id.clone(), keyType);
  }

  public ObjectQuery ofKeyType(long keyType) {
    return new ObjectQuery(objectClass, label, id, keyType);
  }

  public OptionalLong objectClass() {
    return objectClass == null ? OptionalLong.empty() : OptionalLong.of(objectClass);
  }

  public Optional<String> label() {
    return Optional.ofNullable(label);
  }

  public Optional<byte[]> id() {
    return id == null ? Optional.empty() : Optional.of(id.clone());
  }

  /** The search template for {@code C_FindObjectsInit}. */
  List<Attribute> template() {
    List<Attribute> template = new ArrayList<>();
    if (objectClass != null) {
      template.add(Attribute.of(CKA_CLASS, objectClass.longValue()));
    }
    if (keyType != null) {
      template.add(Attribute.of(CKA_KEY_TYPE, keyType.longValue()));
    }
    if (label != null) {
      template.add(Attribute.of(CKA_LABEL, label));
    }
    if (id != null) {
      template.add(Attribute.of(CKA_ID, id));
    }
    return List.copyOf(template);
  }

  /** For messages: "private key labelled 'targets-1' with id 0a1b". */
  public String describe() {
    StringBuilder text = new StringBuilder(className());
    if (label != null) {
      text.append(" labelled '").append(label).append('\'');
    }
    if (id != null) {
      text.append(" with id ").append(HexFormat.of().formatHex(id));
    }
    return text.toString();
  }

  private String className() {
    if (objectClass == null) {
      return "object";
    }
    return describeClass(objectClass);
  }

  static String describeClass(long objectClass) {
    if (objectClass == Pkcs11Constants.CKO_PRIVATE_KEY) {
      return "private key";
    }
    if (objectClass == Pkcs11Constants.CKO_PUBLIC_KEY) {
      return "public key";
    }
    if (objectClass == Pkcs11Constants.CKO_SECRET_KEY) {
      return "secret key";
    }
    if (objectClass == Pkcs11Constants.CKO_DATA) {
      return "data object";
    }
    if (objectClass == Pkcs11Constants.CKO_CERTIFICATE) {
      return "certificate";
    }
    return "object of class 0x" + Long.toHexString(objectClass);
  }

  @Override
  public String toString() {
    return "ObjectQuery[" + describe() + "]";
  }
}
