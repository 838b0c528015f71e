package dev.graft.bundle;

/** Bytes whose length or hashes differ from what trusted metadata says they must be. */
public class HashMismatchException extends TrustException {
  private static final long serialVersionUID = 1L;

  public HashMismatchException(String message) {
    super(message);
  }

  public HashMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
