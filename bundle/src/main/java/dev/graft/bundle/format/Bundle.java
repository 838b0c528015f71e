package dev.graft.bundle.format;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.Digests;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import java.util.Arrays;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The two parts of a bundle, checked against each other: the manifest parsed strictly, its raw
 * bytes, and the WebAssembly module whose SHA-256 the manifest names.
 *
 * <p>Every instance is valid by construction: the canonical constructor refuses a manifest object
 * that is not what the manifest bytes parse to, a manifest without a string {@code name}, {@code
 * version} and {@code module.sha256} (64 lowercase hex digits), a module that does not hash to that
 * value, and a module without the WebAssembly magic and version 1. The arrays are copied in and
 * out, so a bundle cannot change after those checks.
 */
@SuppressWarnings("ArrayRecordComponent") // copied in and out; equals and hashCode compare content
public record Bundle(JsonObject manifest, byte[] manifestBytes, byte[] module) {
  public static final String MANIFEST_ENTRY = "manifest.json";
  public static final String MODULE_ENTRY = "module.wasm";

  private static final byte[] WASM_HEADER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  private static final HexFormat HEX = HexFormat.of();

  public Bundle {
    manifestBytes = manifestBytes.clone();
    module = module.clone();
    // The object must be what the bytes say, or the typed accessors could disagree with the
    // manifest that was hashed and shipped. Re-parsing a manifest of a few KiB costs microseconds.
    if (!manifest.equals(parseManifest(manifestBytes))) {
      throw new BundleFormatException(
          "manifest object does not match the manifest bytes it was built from");
    }
    String declared = declaredSha256(manifest);
    checkWasmHeader(module);
    String actual = HEX.formatHex(sha256(module));
    // Both hashes are public (the signed targets carry them), so a plain comparison is fine.
    if (!declared.equals(actual)) {
      throw new BundleFormatException(
          "manifest.json gives module.sha256 "
              + declared
              + " but module.wasm hashes to "
              + actual
              + "; the manifest must name the module it ships with");
    }
  }

  /**
   * Parses {@code manifestBytes} with the strict JSON parser and checks it against {@code module}.
   * Size caps are the caller's business (the {@link BundleReader} applies them before copying).
   */
  public static Bundle of(byte[] manifestBytes, byte[] module) {
    return new Bundle(parseManifest(manifestBytes), manifestBytes, module);
  }

  /** The module name ({@code name} in the manifest), matched against the signed target. */
  public String name() {
    return manifest.string("name");
  }

  /** The module version ({@code version} in the manifest), matched against the signed target. */
  public String version() {
    return manifest.string("version");
  }

  /** The manifest's {@code module.sha256}: lowercase hex, equal to the SHA-256 of the module. */
  public String moduleSha256() {
    return manifest.object("module").string("sha256");
  }

  /** A copy of the manifest bytes exactly as they were in the bundle. */
  @Override
  public byte[] manifestBytes() {
    return manifestBytes.clone();
  }

  /** A copy of the WebAssembly module. */
  @Override
  public byte[] module() {
    return module.clone();
  }

  public int moduleSize() {
    return module.length;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof Bundle that
        && manifest.equals(that.manifest)
        && Arrays.equals(manifestBytes, that.manifestBytes)
        && Arrays.equals(module, that.module);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(manifestBytes) + Arrays.hashCode(module);
  }

  @Override
  public String toString() {
    return "Bundle[name="
        + name()
        + ", version="
        + version()
        + ", module.sha256="
        + moduleSha256()
        + ", manifest="
        + manifestBytes.length
        + " bytes, module="
        + module.length
        + " bytes]";
  }

  private static JsonObject parseManifest(byte[] manifestBytes) {
    try {
      // No byte cap here: the reader has already held the manifest to its own cap.
      // Decimals are allowed: point scales are decimal, and the manifest is hashed, not signed
      // as canonical JSON. Everything else stays strict (duplicates, UTF-8, trailing data).
      return JsonParser.withCaps(Math.max(1, manifestBytes.length), JsonParser.DEFAULT_MAX_DEPTH)
          .allowingDecimals()
          .parseObject(manifestBytes);
    } catch (JsonFormatException e) {
      throw new BundleFormatException(
          "manifest.json is not strict JSON: " + e.getMessage() + "; it must be one JSON object",
          e);
    }
  }

  private static String declaredSha256(JsonObject manifest) {
    String sha256;
    try {
      manifest.string("name");
      manifest.string("version");
      sha256 = manifest.object("module").string("sha256");
    } catch (JsonFormatException e) {
      throw new BundleFormatException(
          "manifest.json lacks a field the trust rules need: "
              + e.getMessage()
              + " (name, version and module.sha256 must be strings)",
          e);
    }
    for (String field : new String[] {"name", "version"}) {
      if (manifest.string(field).isEmpty()) {
        throw new BundleFormatException("manifest.json has an empty " + field);
      }
    }
    if (sha256.length() != 64 || !sha256.chars().allMatch(Bundle::isLowerHex)) {
      throw new BundleFormatException(
          "manifest.json module.sha256 must be 64 lowercase hex digits, found '"
              + (sha256.length() > 80 ? sha256.substring(0, 80) + "…" : sha256)
              + "'");
    }
    return sha256;
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  private static void checkWasmHeader(byte[] module) {
    if (module.length < WASM_HEADER.length || !Arrays.equals(module, 0, 4, WASM_HEADER, 0, 4)) {
      throw new BundleFormatException(
          "module.wasm does not start with the WebAssembly magic \\0asm; it is not a WebAssembly"
              + " binary");
    }
    if (!Arrays.equals(module, 4, 8, WASM_HEADER, 4, 8)) {
      throw new BundleFormatException(
          "module.wasm has WebAssembly binary version "
              + HEX.formatHex(module, 4, 8)
              + " (little-endian hex); only version 1 (01000000) is supported");
    }
  }

  private static byte[] sha256(byte[] data) {
    return Digests.sha256(data);
  }
}
