package dev.graft.pkcs11.internal;

import dev.graft.pkcs11.Pkcs11Exception;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One {@code CK_ATTRIBUTE} of an object template: a type ({@code CKA_*}) and its value bytes, in
 * the encoding PKCS#11 gives that type (a {@code CK_BBOOL} is one byte, a {@code CK_ULONG} eight
 * bytes in the platform's byte order, a label UTF-8).
 */
public final class Attribute {
  private final long type;
  private final byte[] value;

  private Attribute(long type, byte[] value) {
    this.type = type;
    this.value = value;
  }

  public static Attribute of(long type, boolean value) {
    return new Attribute(type, new byte[] {(byte) (value ? 1 : 0)});
  }

  /** A {@code CK_ULONG} value, such as a class or key type. */
  public static Attribute of(long type, long value) {
    return new Attribute(
        type,
        ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(value).array());
  }

  /** A UTF-8 string value, such as {@code CKA_LABEL}. */
  public static Attribute of(long type, String value) {
    return new Attribute(type, value.getBytes(StandardCharsets.UTF_8));
  }

  public static Attribute of(long type, byte[] value) {
    return new Attribute(type, value.clone());
  }

  public long type() {
    return type;
  }

  public byte[] value() {
    return value.clone();
  }

  /** The length without copying the value, for callers that size native buffers. */
  public int length() {
    return value.length;
  }

  /** Copies the value into {@code target} starting at {@code offset}, for the native binding. */
  public void copyValueTo(byte[] target, int offset) {
    System.arraycopy(value, 0, target, offset, value.length);
  }

  /** Reads a {@code CK_ULONG} attribute value as returned by the token. */
  public static long decodeLong(byte[] value) {
    if (value.length != Long.BYTES) {
      throw new Pkcs11Exception(
          "a CK_ULONG attribute value has " + value.length + " bytes, expected " + Long.BYTES);
    }
    return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getLong();
  }

  /** Reads a {@code CK_BBOOL} attribute value as returned by the token. */
  public static boolean decodeBoolean(byte[] value) {
    if (value.length != 1) {
      throw new Pkcs11Exception(
          "a CK_BBOOL attribute value has " + value.length + " bytes, expected 1");
    }
    return value[0] != 0;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Attribute that && type == that.type && Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(type) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Attribute[0x" + Long.toHexString(type) + ", " + value.length + " bytes]";
  }
}
