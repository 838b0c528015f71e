package dev.graft.bundle.format;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Small, valid bundle parts: a WebAssembly module and a manifest that names it. */
public final class SampleBundles {
  private SampleBundles() {}

  /**
   * A WebAssembly binary: the magic, version 1 and one custom section named "graft-test" whose
   * payload is {@code payload}. Validators accept custom sections, so this is a well-formed module.
   */
  static byte[] module(String payload) {
    byte[] name = "graft-test".getBytes(StandardCharsets.US_ASCII);
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    int sectionSize = 1 + name.length + body.length;
    if (sectionSize > 127 || name.length > 127) {
      throw new IllegalArgumentException("payload too long for a one-byte LEB128 size");
    }
    byte[] out = new byte[8 + 2 + sectionSize];
    byte[] header = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    System.arraycopy(header, 0, out, 0, 8);
    out[8] = 0; // custom section id
    out[9] = (byte) sectionSize;
    out[10] = (byte) name.length;
    System.arraycopy(name, 0, out, 11, name.length);
    System.arraycopy(body, 0, out, 11 + name.length, body.length);
    return out;
  }

  public static byte[] module() {
    return module("boiler control logic");
  }

  /** The manifest of module-abi.md, naming {@code module} by its SHA-256. */
  static byte[] manifestFor(byte[] module) {
    return manifest("boiler-control", "1.4.0", sha256Hex(module));
  }

  public static byte[] manifest(String name, String version, String moduleSha256) {
    String json =
        """
        {
          "abi": "graft/1",
          "name": "%s", "version": "%s", "state_version": 2, "accepts_state": [1, 2],
          "module": {"sha256": "%s"},
          "tick_ms": 100,
          "limits": {"memory_pages": 4, "tick_budget_us": 2000},
          "points": [
            {"name": "temp", "dir": "in", "device": "boiler-plc",
             "modbus": {"table": "input_register", "address": 0, "type": "int16", "scale": 0.1}},
            {"name": "burner", "dir": "out", "device": "boiler-plc",
             "modbus": {"table": "coil", "address": 3}}
          ],
          "self_test": true,
          "shadow_ticks": 50
        }
        """
            .formatted(name, version, moduleSha256);
    return json.getBytes(StandardCharsets.UTF_8);
  }

  public static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
