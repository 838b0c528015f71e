package dev.graft.pkcs11;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads secrets from their {@link SecretSource}. The environment and the prompt are passed in, so
 * that tests (and services, which must never prompt) choose them; {@link #system()} uses the
 * process's own. Secrets come back as {@code char[]} for the caller to clear; they are never logged
 * or put into messages.
 */
public final class SecretReader {
  /** A secret file larger than this is refused unread: it is not a PIN or passphrase. */
  public static final int MAX_FILE_BYTES = 4096;

  private final Map<String, String> environment;
  private final SecretPrompt prompt;

  public SecretReader(Map<String, String> environment, SecretPrompt prompt) {
    this.environment = Map.copyOf(environment);
    this.prompt = prompt;
  }

  /** The process's environment variables and its terminal. */
  public static SecretReader system() {
    return new SecretReader(System.getenv(), SecretPrompt.console());
  }

  /**
   * The secret; {@code what} names it in prompts and messages ("the PIN for token \"graft\"").
   *
   * @throws SecretSourceException when the source cannot give it: the message says why and names
   *     the source, never the secret
   */
  public char[] read(SecretSource source, String what) {
    return switch (source) {
      case SecretSource.FromFile file -> fromFile(file.path(), what);
      case SecretSource.FromEnvironment env -> fromEnvironment(env.variable(), what);
      case SecretSource.FromPrompt ignored -> fromPrompt(what);
    };
  }

  private char[] fromFile(Path path, String what) {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, PosixFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new SecretSourceException(
          "cannot read " + what + " from " + path + ": there is no such file", e);
    } catch (UnsupportedOperationException e) {
      throw new SecretSourceException(
          "cannot read "
              + what
              + " from "
              + path
              + ": its file system has no POSIX permissions, so Graft cannot check that other"
              + " users cannot read it",
          e);
    } catch (IOException e) {
      throw new SecretSourceException(
          "cannot read " + what + " from " + path + ": " + e.getMessage(), e);
    }
    if (!attributes.isRegularFile()) {
      throw new SecretSourceException(
          "cannot read " + what + " from " + path + ": it is not a regular file");
    }
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
      // Group access is allowed: a token PIN shared by a service group is a common setup.
      throw new SecretSourceException(
          path
              + " holds "
              + what
              + " but every user can read it (permissions "
              + PosixFilePermissions.toString(permissions)
              + "); refusing to use it: run chmod o-rwx "
              + path
              + " (or chmod 600)");
    }
    byte[] bytes;
    try {
      bytes = BoundedRead.upTo(path, MAX_FILE_BYTES);
    } catch (IOException e) {
      throw new SecretSourceException(
          "cannot read " + what + " from " + path + ": " + e.getMessage(), e);
    }
    try {
      if (bytes.length > MAX_FILE_BYTES) {
        throw new SecretSourceException(
            path
                + " is larger than "
                + MAX_FILE_BYTES
                + " bytes: too large to hold "
                + what
                + "; is it the right file?");
      }
      int length = bytes.length;
      if (length > 0 && bytes[length - 1] == '\n') {
        length--;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
      }
      if (length == 0) {
        throw new SecretSourceException(path + " is empty; it should hold " + what);
      }
      char[] secret = decode(bytes, length);
      if (secret.length == 0) {
        throw new SecretSourceException(path + " is empty; it should hold " + what);
      }
      return secret;
    } catch (CharacterCodingException e) {
      throw new SecretSourceException(
          path + " should hold " + what + " as UTF-8 text, but is not valid UTF-8", e);
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private char[] fromEnvironment(String variable, String what) {
    String value = environment.get(variable);
    if (value == null) {
      throw new SecretSourceException(
          "environment variable " + variable + ", which should hold " + what + ", is not set");
    }
    if (value.isEmpty()) {
      throw new SecretSourceException(
          "environment variable " + variable + ", which should hold " + what + ", is empty");
    }
    return value.toCharArray();
  }

  private char[] fromPrompt(String what) {
    Optional<char[]> answer = prompt.ask("Enter " + what + ": ");
    if (answer.isEmpty()) {
      throw new SecretSourceException(
          "cannot ask for "
              + what
              + ": there is no terminal to ask on (or its input ended); name a file or an"
              + " environment variable that holds it instead");
    }
    if (answer.get().length == 0) {
      throw new SecretSourceException("nothing was entered for " + what);
    }
    return answer.get();
  }

  /** UTF-8 to characters without an intermediate String, so the copy can be cleared. */
  private static char[] decode(byte[] bytes, int length) throws CharacterCodingException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, length));
    try {
      char[] secret = new char[chars.remaining()];
      chars.get(secret);
      return secret;
    } finally {
      if (chars.hasArray()) {
        Arrays.fill(chars.array(), '\0');
      }
    }
  }
}
