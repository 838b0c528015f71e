package dev.graft.signer.cli;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.TrustException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.format.ChunkList;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonDecimal;
import dev.graft.bundle.json.JsonNumber;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonString;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.policies.Manifest;
import dev.graft.policies.PolicyViolationException;
import dev.graft.policies.abi.AbiLimits;
import dev.graft.policies.abi.AbiValidator;
import dev.graft.policies.abi.AbiViolationException;
import dev.graft.policies.abi.ModuleShape;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code graft inspect FILE}: what a bundle or a TUF metadata file says, shown without trusting it.
 * Reading is strict (the same readers gateways use), but no signature is checked against a trust
 * anchor; the output says so every time.
 */
@Command(
    name = "inspect",
    header = "Shows what a bundle or a TUF metadata file contains (without verifying it).",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "For a bundle (*.graft): the manifest (module, version, tick, limits, state), the module's"
          + " size and SHA-256, its exports and imports, the field points it asks for, and the"
          + " chunk list it would be published with.",
      "For TUF metadata (metadata/*.json): role, version, expiry, keys and thresholds (root),"
          + " which key ids signed, and the targets with their lengths, hashes and custom fields"
          + " (targets), or the files named (snapshot, timestamp).",
      "",
      "Nothing shown is verified: signatures are listed, not checked. Use `graft verify` to"
          + " check a repository and a bundle against its signed metadata.",
      ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  graft inspect thermostat-1.0.0.graft",
      "  graft inspect repo/metadata/2.targets.json",
      "  graft inspect repo/metadata/timestamp.json --json | jq .expires",
      "  graft inspect boiler-control-1.1.0.graft --json | jq '.points[].name'"
    })
public final class InspectCommand implements Runnable {
  static final String NOT_VERIFIED = "not verified — use graft verify";

  private static final int MAX_METADATA_BYTES = 16 * 1024 * 1024;
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private final CliContext context;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description =
          "A bundle (*.graft) or a TUF metadata file (root, targets, snapshot, timestamp).")
  private Path file = Path.of(".");

  @Option(names = "--json", description = "Machine-readable output.")
  private boolean json;

  @Option(
      names = "--chunk-size",
      paramLabel = "BYTES",
      description = "Chunk size for the chunk list summary of a bundle (default: 65536).")
  private int chunkSize = ChunkList.DEFAULT_SIZE;

  InspectCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    long cap = Math.max(BundleReader.withDefaults().maxBundleBytes(), MAX_METADATA_BYTES);
    byte[] bytes = InputFile.read(file, cap, "bundle or metadata file");
    JsonObject report;
    if (startsWith(bytes, ZIP_MAGIC)) {
      report = inspectBundle(bytes);
    } else if (firstNonBlank(bytes) == '{') {
      report = inspectMetadata(bytes);
    } else {
      throw new CliException(
          file
              + " is neither a Graft bundle (a ZIP archive, starting with PK) nor TUF metadata (a"
              + " JSON object); graft inspect reads *.graft files and metadata/*.json");
    }
    PrintWriter out = context.terminal().out();
    if (json) {
      out.println(new String(PrettyJson.encode(report), StandardCharsets.UTF_8));
    } else if (report.string("kind").equals("bundle")) {
      printBundle(report, out);
    } else {
      printMetadata(report, out);
    }
    out.flush();
  }

  // ---- bundles ---------------------------------------------------------------------------------

  private JsonObject inspectBundle(byte[] bytes) {
    Bundle bundle;
    try {
      bundle = BundleReader.withDefaults().read(bytes);
    } catch (BundleFormatException e) {
      throw new CliException(
          file
              + " is not a valid Graft bundle: "
              + e.getMessage()
              + "; rebuild it with `graft bundle build`");
    }
    List<JsonValue> problems = new ArrayList<>();
    JsonObject.Builder report =
        JsonObject.builder()
            .put("file", file.toString())
            .put("kind", "bundle")
            .put("verified", false)
            .put("note", NOT_VERIFIED)
            .put("size", bytes.length)
            .put("sha256", InputFile.sha256(bytes))
            .put("sha512", InputFile.hex("SHA-512", bytes));

    Manifest manifest = null;
    try {
      manifest = Manifest.parse(bundle.manifestBytes());
    } catch (PolicyViolationException e) {
      problems.add(new JsonString("manifest: " + e.getMessage()));
    }
    report.put("manifest", manifestJson(bundle, manifest));

    JsonObject.Builder module =
        JsonObject.builder()
            .put("size", bundle.moduleSize())
            .put("sha256", bundle.moduleSha256())
            .put("matches_manifest", true);
    try {
      // The widest memory ceiling, so the module's shape is shown even when its memory exceeds
      // what its manifest declares; that is reported as a problem below.
      ModuleShape shape =
          AbiValidator.validate(
              bundle.module(),
              new AbiLimits(BundleReader.DEFAULT_MAX_MODULE_BYTES, AbiLimits.MAX_WASM_PAGES));
      module.put("exports", strings(shape.exports())).put("imports", strings(shape.imports()));
      JsonObject.Builder memory = JsonObject.builder().put("initial_pages", shape.initialPages());
      shape.declaredMaximumPages().ifPresent(max -> memory.put("declared_maximum_pages", max));
      module.put("memory", memory.build());
      if (manifest != null && shape.initialPages() > manifest.limits().memoryPages()) {
        problems.add(
            new JsonString(
                "module.wasm starts with "
                    + shape.initialPages()
                    + " memory pages, more than the manifest's limits.memory_pages "
                    + manifest.limits().memoryPages()));
      }
    } catch (AbiViolationException e) {
      e.violations().forEach(v -> problems.add(new JsonString("module.wasm: " + v)));
    }
    report.put("module", module.build());

    List<JsonValue> points = new ArrayList<>();
    if (manifest != null) {
      manifest.points().forEach(p -> points.add(pointJson(p)));
    }
    report.put("points", new JsonArray(points));

    ChunkList chunks;
    try {
      chunks = ChunkList.of(bytes, chunkSize);
    } catch (BundleFormatException e) {
      throw new CliException("--chunk-size " + chunkSize + ": " + e.getMessage());
    }
    report.put(
        "chunks",
        JsonObject.builder()
            .put("size", chunks.size())
            .put("count", chunks.chunkCount())
            .put(
                "last_size",
                chunks.chunkCount() == 0 ? 0 : chunks.chunkLength(chunks.chunkCount() - 1))
            .put("list_sha256", chunks.listSha256())
            .build());
    report.put("problems", new JsonArray(problems));
    return report.build();
  }

  private static JsonObject manifestJson(Bundle bundle, @Nullable Manifest manifest) {
    if (manifest == null) {
      return JsonObject.builder()
          .put("name", bundle.name())
          .put("version", bundle.version())
          .put("valid", false)
          .build();
    }
    List<JsonValue> accepts = new ArrayList<>();
    manifest.acceptsState().forEach(s -> accepts.add(new JsonNumber(s)));
    return JsonObject.builder()
        .put("name", manifest.name())
        .put("version", manifest.version())
        .put("valid", true)
        .put("abi", manifest.abi())
        .put("tick_ms", manifest.tickMs())
        .put(
            "limits",
            JsonObject.builder()
                .put("memory_pages", manifest.limits().memoryPages())
                .put("tick_budget_us", manifest.limits().tickBudgetUs())
                .build())
        .put("state_version", manifest.stateVersion())
        .put("accepts_state", new JsonArray(accepts))
        .put("self_test", manifest.selfTest())
        .put("shadow_ticks", manifest.shadowTicks())
        .put("save_every_ticks", manifest.saveEveryTicks())
        .build();
  }

  private static JsonObject pointJson(Manifest.Point point) {
    JsonObject.Builder json =
        JsonObject.builder()
            .put("name", point.name())
            .put("dir", point.dir().wire())
            .put("device", point.device());
    switch (point) {
      case Manifest.Point.Modbus p -> {
        Manifest.ModbusPoint modbus = p.modbus();
        json.put(
            "modbus",
            JsonObject.builder()
                .put("table", modbus.table().wire())
                .put("address", modbus.address())
                .put("type", modbus.type().wire())
                .put("scale", new JsonDecimal(modbus.scale()))
                .put("offset", new JsonDecimal(modbus.offset()))
                .put("word_order", modbus.wordOrder().wire())
                .build());
      }
      case Manifest.Point.Coap p ->
          json.put(
              "coap",
              JsonObject.builder()
                  .put("path", p.coap().path())
                  .put("method", p.coap().method().wire())
                  .build());
    }
    return json.build();
  }

  private static void printBundle(JsonObject report, PrintWriter out) {
    JsonObject manifest = report.object("manifest");
    JsonObject module = report.object("module");
    out.println(report.string("file") + ": Graft bundle (" + NOT_VERIFIED + ")");
    out.println(
        "  module      "
            + manifest.string("name")
            + " "
            + manifest.string("version")
            + (manifest.bool("valid") ? " (ABI " + manifest.string("abi") + ")" : ""));
    out.println(
        "  bundle      " + report.integer("size") + " bytes, sha256 " + report.string("sha256"));
    out.println(
        "  module.wasm "
            + module.integer("size")
            + " bytes, sha256 "
            + module.string("sha256")
            + " (as the manifest names)");
    if (manifest.bool("valid")) {
      JsonObject limits = manifest.object("limits");
      out.println(
          "  tick        every "
              + manifest.integer("tick_ms")
              + " ms, budget "
              + limits.integer("tick_budget_us")
              + " µs; memory "
              + limits.integer("memory_pages")
              + " pages (64 KiB each)");
      out.println(
          "  state       version "
              + manifest.integer("state_version")
              + ", accepts "
              + (manifest.array("accepts_state").size() == 0
                  ? "none"
                  : join(manifest.array("accepts_state")))
              + "; self-test "
              + (manifest.bool("self_test") ? "yes" : "no")
              + "; shadow "
              + manifest.integer("shadow_ticks")
              + " ticks; save every "
              + manifest.integer("save_every_ticks")
              + " ticks");
    }
    if (module.has("exports")) {
      out.println("  exports     " + join(module.array("exports")));
      out.println(
          "  imports     "
              + (module.array("imports").size() == 0 ? "none" : join(module.array("imports"))));
      JsonObject memory = module.object("memory");
      out.println(
          "  memory      "
              + memory.integer("initial_pages")
              + " initial pages, maximum "
              + (memory.has("declared_maximum_pages")
                  ? memory.integer("declared_maximum_pages") + " pages"
                  : "not declared"));
    }
    JsonArray points = report.array("points");
    out.println("  points      " + points.size() + (points.size() == 0 ? "" : ":"));
    for (JsonValue value : points.values()) {
      JsonObject point = (JsonObject) value;
      String where;
      if (point.has("modbus")) {
        JsonObject modbus = point.object("modbus");
        where =
            "modbus "
                + modbus.string("table")
                + " "
                + modbus.integer("address")
                + " "
                + modbus.string("type");
      } else {
        JsonObject coap = point.object("coap");
        where = "coap " + coap.string("method") + " " + coap.string("path");
      }
      out.println(
          String.format(
              "    %-3s %-16s %-14s %s",
              point.string("dir"), point.string("name"), point.string("device"), where));
    }
    JsonObject chunks = report.object("chunks");
    out.println(
        "  chunks      "
            + chunks.integer("count")
            + " of "
            + chunks.integer("size")
            + " bytes (last "
            + chunks.integer("last_size")
            + "), list sha256 "
            + chunks.string("list_sha256"));
    JsonArray problems = report.array("problems");
    if (problems.size() > 0) {
      out.println("  PROBLEMS (a gateway would refuse this bundle):");
      for (JsonValue problem : problems.values()) {
        out.println("    - " + ((JsonString) problem).value());
      }
    }
  }

  // ---- metadata --------------------------------------------------------------------------------

  private JsonObject inspectMetadata(byte[] bytes) {
    RoleType type = roleType(bytes);
    SignedMetadata<?> metadata;
    try {
      JsonParser parser = JsonParser.withCaps(MAX_METADATA_BYTES, JsonParser.DEFAULT_MAX_DEPTH);
      metadata =
          switch (type) {
            case ROOT -> SignedMetadata.parseRoot(bytes, parser);
            case TARGETS -> SignedMetadata.parseTargets(bytes, parser);
            case SNAPSHOT -> SignedMetadata.parseSnapshot(bytes, parser);
            case TIMESTAMP -> SignedMetadata.parseTimestamp(bytes, parser);
          };
    } catch (TrustException e) {
      throw new CliException(
          file + " is not valid TUF " + type.typeName() + " metadata: " + e.getMessage());
    }
    Signed signed = metadata.signed();
    Instant now = context.clock().instant();
    List<JsonValue> signatures = new ArrayList<>();
    for (Signature signature : metadata.signatures()) {
      JsonObject.Builder entry = JsonObject.builder().put("keyid", signature.keyId());
      if (signed instanceof Root root) {
        entry.put("root_role_key", root.role(RoleType.ROOT).keyIds().contains(signature.keyId()));
      }
      signatures.add(entry.build());
    }
    JsonObject.Builder report =
        JsonObject.builder()
            .put("file", file.toString())
            .put("kind", "metadata")
            .put("verified", false)
            .put("note", NOT_VERIFIED)
            .put("role", type.typeName())
            .put("version", signed.version())
            .put("spec_version", signed.specVersion())
            .put("expires", signed.expires().toString())
            .put("expired", signed.isExpired(now))
            .put("signatures", new JsonArray(signatures));
    switch (signed) {
      case Root root -> rootJson(root, report);
      case Targets targets -> {
        JsonObject.Builder entries = JsonObject.builder();
        for (TargetFile target : targets.targets().values()) {
          JsonObject.Builder entry =
              JsonObject.builder()
                  .put("length", target.length())
                  .put("hashes", hashes(target.hashes()));
          target.custom().ifPresent(c -> entry.put("custom", c));
          entries.put(target.path(), entry.build());
        }
        report.put("targets", entries.build());
        report.put(
            "delegated_roles",
            targets.delegations().map(d -> d.roles().size()).orElse(0).longValue());
      }
      case Snapshot snapshot -> report.put("meta", metaJson(snapshot.meta()));
      case Timestamp timestamp ->
          report.put("meta", metaJson(Map.of("snapshot.json", timestamp.snapshotMeta())));
    }
    return report.build();
  }

  private RoleType roleType(byte[] bytes) {
    String type;
    try {
      type =
          JsonParser.withCaps(MAX_METADATA_BYTES, JsonParser.DEFAULT_MAX_DEPTH)
              .parseObject(bytes)
              .object("signed")
              .string("_type");
    } catch (TrustException e) {
      throw new CliException(
          file
              + " is not TUF metadata: "
              + e.getMessage()
              + " (metadata is a JSON object with \"signed\" and \"signatures\")");
    }
    for (RoleType role : RoleType.values()) {
      if (role.typeName().equals(type)) {
        return role;
      }
    }
    throw new CliException(
        file
            + " is TUF metadata of type '"
            + type
            + "'; graft inspect reads root, targets, snapshot and timestamp");
  }

  private static void rootJson(Root root, JsonObject.Builder report) {
    JsonObject.Builder keys = JsonObject.builder();
    for (Map.Entry<String, TufKey> key : root.keys().entrySet()) {
      List<JsonValue> roles = new ArrayList<>();
      for (RoleType role : RoleType.values()) {
        if (root.role(role).keyIds().contains(key.getKey())) {
          roles.add(new JsonString(role.typeName()));
        }
      }
      keys.put(
          key.getKey(),
          JsonObject.builder()
              .put("keytype", key.getValue().keyType())
              .put("scheme", key.getValue().scheme())
              .put("roles", new JsonArray(roles))
              .build());
    }
    JsonObject.Builder roles = JsonObject.builder();
    for (RoleType type : RoleType.values()) {
      Role role = root.role(type);
      roles.put(
          type.typeName(),
          JsonObject.builder()
              .put("threshold", role.threshold())
              .put("keyids", strings(role.keyIds()))
              .build());
    }
    report
        .put("consistent_snapshot", root.consistentSnapshot())
        .put("keys", keys.build())
        .put("roles", roles.build());
  }

  private static JsonObject metaJson(Map<String, MetaFile> meta) {
    JsonObject.Builder json = JsonObject.builder();
    meta.forEach((name, file) -> {
      JsonObject.Builder entry = JsonObject.builder().put("version", file.version());
      file.length().ifPresent(l -> entry.put("length", l));
      if (!file.hashes().isEmpty()) {
        entry.put("hashes", hashes(file.hashes()));
      }
      json.put(name, entry.build());
    });
    return json.build();
  }

  private static void printMetadata(JsonObject report, PrintWriter out) {
    String role = report.string("role");
    out.println(report.string("file") + ": TUF " + role + " metadata (" + NOT_VERIFIED + ")");
    out.println(
        "  version     "
            + report.integer("version")
            + " (spec "
            + report.string("spec_version")
            + ")");
    out.println(
        "  expires     " + report.string("expires") + (report.bool("expired") ? " (EXPIRED)" : ""));
    JsonArray signatures = report.array("signatures");
    List<String> signers = new ArrayList<>();
    for (JsonValue value : signatures.values()) {
      JsonObject signature = (JsonObject) value;
      signers.add(
          signature.string("keyid")
              + (signature.has("root_role_key") && !signature.bool("root_role_key")
                  ? " (not a root key of this version)"
                  : ""));
    }
    out.println(
        "  signed by   "
            + (signers.isEmpty()
                ? "nobody yet"
                : signers.size() + " key(s): " + signers.getFirst()));
    for (String signer : signers.subList(Math.min(1, signers.size()), signers.size())) {
      out.println("              " + signer);
    }
    if (report.has("roles")) {
      out.println("  consistent snapshots " + (report.bool("consistent_snapshot") ? "yes" : "no"));
      JsonObject roles = report.object("roles");
      JsonObject keys = report.object("keys");
      for (Map.Entry<String, JsonValue> entry : roles.members().entrySet()) {
        JsonObject roleEntry = (JsonObject) entry.getValue();
        out.println(
            "  role "
                + entry.getKey()
                + ": threshold "
                + roleEntry.integer("threshold")
                + " of "
                + roleEntry.array("keyids").size());
        for (JsonValue id : roleEntry.array("keyids").values()) {
          String keyId = ((JsonString) id).value();
          JsonObject key = keys.optionalObject(keyId).orElse(null);
          out.println(
              "    "
                  + keyId
                  + (key == null ? " (not defined in keys)" : " " + key.string("scheme")));
        }
      }
    }
    if (report.has("targets")) {
      JsonObject targets = report.object("targets");
      out.println("  targets     " + targets.size() + (targets.size() == 0 ? "" : ":"));
      for (Map.Entry<String, JsonValue> entry : targets.members().entrySet()) {
        JsonObject target = (JsonObject) entry.getValue();
        out.println("    " + entry.getKey() + "  " + target.integer("length") + " bytes");
        for (Map.Entry<String, JsonValue> hash : target.object("hashes").members().entrySet()) {
          out.println("      " + hash.getKey() + " " + ((JsonString) hash.getValue()).value());
        }
        target.optionalObject("custom").ifPresent(custom -> printCustom(custom, out));
      }
      if (report.integer("delegated_roles") > 0) {
        out.println("  delegates to " + report.integer("delegated_roles") + " role(s)");
      }
    }
    if (report.has("meta")) {
      for (Map.Entry<String, JsonValue> entry : report.object("meta").members().entrySet()) {
        JsonObject meta = (JsonObject) entry.getValue();
        out.println(
            "  names       "
                + entry.getKey()
                + " version "
                + meta.integer("version")
                + meta.optionalInteger("length").stream()
                    .mapToObj(l -> ", " + l + " bytes")
                    .findFirst()
                    .orElse("")
                + meta.optionalObject("hashes")
                    .flatMap(h -> h.optionalString("sha256"))
                    .map(h -> ", sha256 " + h)
                    .orElse(""));
      }
    }
  }

  /** custom.graft as the release engineer reads it; other custom data as compact JSON. */
  private static void printCustom(JsonObject custom, PrintWriter out) {
    Optional<JsonObject> graft = custom.optionalObject("graft");
    if (graft.isPresent()) {
      JsonObject fields = graft.get();
      StringBuilder line = new StringBuilder("      graft:");
      fields.optionalString("module").ifPresent(m -> line.append(" module ").append(m));
      fields.optionalString("version").ifPresent(v -> line.append(" ").append(v));
      fields
          .optionalInteger("release_counter")
          .ifPresent(c -> line.append(", release counter ").append(c));
      fields.optionalArray("hardware").ifPresent(h -> line.append(", hardware ").append(join(h)));
      out.println(line);
      fields
          .optionalObject("chunks")
          .ifPresent(c ->
              out.println(
                  "      chunks of "
                      + c.optionalInteger("size").orElse(0)
                      + " bytes, list sha256 "
                      + c.optionalString("list_sha256").orElse("?")));
    }
    JsonObject.Builder rest = custom.toBuilder().remove("graft");
    JsonObject others = rest.build();
    if (others.size() > 0) {
      out.println(
          "      custom "
              + new String(
                  dev.graft.bundle.json.CanonicalJson.encode(others), StandardCharsets.UTF_8));
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static JsonObject hashes(Map<String, String> hashes) {
    JsonObject.Builder json = JsonObject.builder();
    hashes.forEach(json::put);
    return json.build();
  }

  private static JsonArray strings(List<String> values) {
    List<JsonValue> json = new ArrayList<>();
    values.forEach(v -> json.add(new JsonString(v)));
    return new JsonArray(json);
  }

  private static String join(JsonArray values) {
    List<String> parts = new ArrayList<>();
    for (JsonValue value : values.values()) {
      parts.add(
          switch (value) {
            case JsonString(String s) -> s;
            case JsonNumber(long n) -> String.valueOf(n);
            default -> value.toString();
          });
    }
    return String.join(", ", parts);
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    if (bytes.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int firstNonBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b;
      }
    }
    return -1;
  }
}
