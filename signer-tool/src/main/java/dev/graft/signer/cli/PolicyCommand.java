package dev.graft.signer.cli;

import dev.graft.bundle.BundleFormatException;
import dev.graft.bundle.format.Bundle;
import dev.graft.bundle.format.BundleReader;
import dev.graft.bundle.json.JsonArray;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonValue;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.PolicyViolationException;
import dev.graft.policies.Violation;
import dev.graft.policies.abi.AbiLimits;
import dev.graft.policies.abi.AbiValidator;
import dev.graft.policies.abi.AbiViolationException;
import dev.graft.signer.CliContext;
import dev.graft.signer.CliException;
import dev.graft.signer.ExitCode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graft policy …}: site grants. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Checks bundles against site grants before they are released.",
    subcommands = {PolicyCommand.Check.class})
public final class PolicyCommand implements Runnable {
  private final CliContext context;

  PolicyCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(context.terminal().out());
  }

  /** {@code graft policy check BUNDLE|MANIFEST GRANT}. */
  @Command(
      name = "check",
      header = "Dry run: would a gateway under this grant accept this bundle?",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Reads BUNDLE strictly and GRANT (the site grant, YAML), then applies the checks a"
            + " gateway applies before staging a bundle: the manifest format, the module against"
            + " ABI graft/1 with the grant's memory ceiling, the manifest's limits against the"
            + " grant's ceilings (memory pages, tick budget, minimum tick period), every point"
            + " against the devices, tables, addresses, resources and outputs the grant allows,"
            + " and the points the grant's conditions read. Every violation is listed, not just"
            + " the first. Nothing is changed; the grant's signature is not checked.",
        "",
        "Given a manifest (*.json) instead of a bundle, it checks the manifest alone, so a module"
            + " author can try a grant before building: everything above but the module.",
        ""
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  graft policy check boiler-control-1.1.0.graft \\",
        "      policies/examples/boiler-site.yaml",
        "  graft policy check boiler.manifest.json site.yaml   # before building",
        "  graft policy check m.graft site.yaml --json \\",
        "      | jq -r '.violations[].message'",
        "",
        "Exit codes: 0 accepted, 3 rejected (every violation is listed), 1 a file could not be"
            + " read (the message names it), 2 usage error."
      })
  static final class Check implements Runnable {
    private final CliContext context;

    @Parameters(
        index = "0",
        paramLabel = "BUNDLE",
        description = "The bundle (*.graft), or a manifest (*.json) to check before building.")
    private Path bundle = Path.of(".");

    @Parameters(index = "1", paramLabel = "GRANT", description = "The site grant (YAML).")
    private Path grant = Path.of(".");

    @Option(names = "--json", description = "Machine-readable output.")
    private boolean json;

    Check(CliContext context) {
      this.context = context;
    }

    @Override
    public void run() {
      byte[] bytes = InputFile.read(bundle, BundleReader.withDefaults().maxBundleBytes(), "bundle");
      boolean manifestOnly = isManifest(bytes);
      Bundle read = null;
      if (!manifestOnly) {
        try {
          read = BundleReader.withDefaults().read(bytes);
        } catch (BundleFormatException e) {
          throw new CliException(
              bundle
                  + " is not a valid Graft bundle: "
                  + e.getMessage()
                  + "; rebuild it with `graft bundle build` (or give a manifest, *.json)");
        }
      }
      Grant site;
      try {
        site = Grant.parse(InputFile.read(grant, Grant.MAX_BYTES, "grant"));
      } catch (PolicyViolationException e) {
        throw new CliException(
            grant
                + " is not a valid site grant: "
                + BundleCommand.located(e)
                + "; fix the grant (the format is in docs/policies.md)");
      }

      List<JsonValue> violations = new ArrayList<>();
      Manifest manifest = null;
      try {
        manifest = Manifest.parse(read != null ? read.manifestBytes() : bytes);
      } catch (PolicyViolationException e) {
        if (read == null) {
          throw new CliException(
              bundle
                  + " is not a valid manifest: "
                  + BundleCommand.located(e)
                  + "; fix it (the format is in docs/module-abi.md)");
        }
        violations.add(
            violation(
                "manifest", "manifest.json in " + bundle + ", " + BundleCommand.located(e), null));
      }
      if (read != null) {
        try {
          AbiValidator.validate(
              read.module(),
              AbiLimits.of(
                  BundleReader.DEFAULT_MAX_MODULE_BYTES,
                  site.ceilings().memoryPages(),
                  site.ceilings()));
        } catch (AbiViolationException e) {
          e.violations().forEach(v -> violations.add(violation("module", v, null)));
        }
      }
      if (manifest != null
          && CapabilityCheck.check(manifest, site) instanceof CapabilityCheck.Rejected rejected) {
        rejected.violations().forEach(v -> violations.add(violation("grant", v.message(), v)));
      }
      String name = read != null ? read.name() : manifest != null ? manifest.name() : "";
      String version = read != null ? read.version() : manifest != null ? manifest.version() : "";
      print(name, version, read == null, violations);
      if (!violations.isEmpty()) {
        throw new CliException(
            ExitCode.ATTENTION,
            bundle
                + " would be refused under "
                + grant
                + " ("
                + violations.size()
                + (violations.size() == 1 ? " violation" : " violations")
                + "); change the module or manifest, or ask the site's operator for a wider"
                + " grant");
      }
    }

    /** A manifest is JSON, so it starts with '{' (after any whitespace); a bundle is a ZIP. */
    private static boolean isManifest(byte[] bytes) {
      for (byte b : bytes) {
        if (b == '{') {
          return true;
        }
        if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
          return false;
        }
      }
      return false;
    }

    private static JsonObject violation(String kind, String message, @Nullable Violation v) {
      JsonObject.Builder json = JsonObject.builder().put("kind", kind).put("message", message);
      if (v != null) {
        v.pointName().ifPresent(p -> json.put("point", p));
        v.deviceName().ifPresent(d -> json.put("device", d));
        var table = v.table();
        if (table != null) {
          json.put("table", table.wire());
        }
        Integer address = v.address();
        if (address != null) {
          json.put("address", address.longValue());
        }
      }
      return json.build();
    }

    private void print(
        String name, String version, boolean manifestOnly, List<JsonValue> violations) {
      PrintWriter out = context.terminal().out();
      if (json) {
        JsonObject report =
            JsonObject.builder()
                .put(manifestOnly ? "manifest" : "bundle", bundle.toString())
                .put("grant", grant.toString())
                .put("module", name)
                .put("version", version)
                .put("accepted", violations.isEmpty())
                .put("violations", new JsonArray(violations))
                .build();
        out.println(new String(PrettyJson.encode(report), StandardCharsets.UTF_8));
      } else if (violations.isEmpty()) {
        out.println(
            name
                + " "
                + version
                + " ("
                + bundle
                + ") would be ACCEPTED under "
                + grant
                + (manifestOnly
                    ? ": its limits and every point lie within the grant (the module itself is"
                        + " checked once it is bundled: graft policy check NAME.graft GRANT)."
                    : ": its module, limits and every point lie within the grant."));
      } else {
        out.println(
            name
                + " "
                + version
                + " ("
                + bundle
                + ") would be REJECTED under "
                + grant
                + ", "
                + violations.size()
                + (violations.size() == 1 ? " violation:" : " violations:"));
        for (JsonValue value : violations) {
          out.println("  - " + ((JsonObject) value).string("message"));
        }
      }
      out.flush();
    }
  }
}
