package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.JsonValue;
import dev.graft.policies.CapabilityCheck;
import dev.graft.policies.Grant;
import dev.graft.policies.Manifest;
import dev.graft.policies.Violation;
import dev.graft.signer.ExitCode;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code graft policy check} with the example bundles and the example site grants. */
class PolicyCheckTest {
  @TempDir Path temp;

  @Test
  void check_boilerControlUnderBoilerSite_accepted() {
    Path bundle = Examples.bundle(temp, "boiler-control-1.0");
    Path grant = Examples.grant("boiler-site.yaml");

    GraftRun.Result result = graft().run("policy", "check", bundle.toString(), grant.toString());

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("boiler-control 1.0.0", "would be ACCEPTED under " + grant);
  }

  @Test
  void check_underNarrowGrant_rejectedListingEveryViolation() throws Exception {
    Path bundle = Examples.bundle(temp, "boiler-control-1.0");
    Path grant = Examples.grant("boiler-site-narrow.yaml");
    // What the policies library itself finds: the command must list every one of them.
    CapabilityCheck expected =
        CapabilityCheck.check(
            Manifest.parse(Files.readAllBytes(Examples.manifest("boiler-control-1.0"))),
            Grant.parse(Files.readAllBytes(grant)));
    assertThat(expected).isInstanceOf(CapabilityCheck.Rejected.class);
    List<String> messages =
        ((CapabilityCheck.Rejected) expected)
            .violations().stream().map(Violation::message).toList();
    assertThat(messages).hasSizeGreaterThanOrEqualTo(3);

    GraftRun.Result human = graft().run("policy", "check", bundle.toString(), grant.toString());
    GraftRun.Result json =
        graft().run("policy", "check", bundle.toString(), grant.toString(), "--json");

    assertThat(human.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(human.out()).contains("would be REJECTED under " + grant);
    for (String message : messages) {
      assertThat(human.out()).contains("  - " + message);
    }
    assertThat(human.out())
        .contains("tick_budget_us 5000 exceeds the grant's ceiling of 1000")
        .contains("point 'burner' writes coil 3 of 'boiler-plc'")
        .contains("/setpoint");
    assertThat(human.err())
        .contains("would be refused under " + grant, messages.size() + " violations");

    assertThat(json.exitCode()).isEqualTo(ExitCode.ATTENTION.code());
    JsonObject report =
        JsonParser.withDefaults().parseObject(json.out().getBytes(StandardCharsets.UTF_8));
    assertThat(report.bool("accepted")).isFalse();
    List<String> listed = new ArrayList<>();
    for (JsonValue value : report.array("violations").values()) {
      listed.add(((JsonObject) value).string("message"));
    }
    assertThat(listed).containsExactlyElementsOf(messages);
    JsonObject burner =
        report.array("violations").values().stream()
            .map(JsonObject.class::cast)
            .filter(v -> v.optionalString("point").orElse("").equals("burner"))
            .findFirst()
            .orElseThrow();
    assertThat(burner.string("device")).isEqualTo("boiler-plc");
    assertThat(burner.string("table")).isEqualTo("coil");
    assertThat(burner.integer("address")).isEqualTo(3);
  }

  @Test
  void check_moduleOverTheGrantsMemoryCeiling_rejectedByTheAbiCheck() throws Exception {
    Path grant = temp.resolve("tiny.yaml");
    Files.writeString(
        grant,
        Files.readString(Examples.grant("boiler-site.yaml"))
            .replace("memory_pages: 16", "memory_pages: 1"));
    Path bundle = Examples.bundle(temp, "thermostat");

    GraftRun.Result result =
        graft().run("policy", "check", bundle.toString(), grant.toString(), "--json");

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.ATTENTION.code());
    JsonObject report =
        JsonParser.withDefaults().parseObject(result.out().getBytes(StandardCharsets.UTF_8));
    List<String> kinds = new ArrayList<>();
    for (JsonValue value : report.array("violations").values()) {
      kinds.add(((JsonObject) value).string("kind"));
    }
    assertThat(kinds).contains("module", "grant");
  }

  @Test
  void check_moduleOverTheGrantsFunctionCeiling_rejectedNamingIt() throws Exception {
    // The ABI check takes every ceiling from the site grant, not only memory pages.
    Path grant = temp.resolve("few-functions.yaml");
    Files.writeString(
        grant,
        Files.readString(Examples.grant("boiler-site.yaml"))
            .replace("memory_pages: 16", "memory_pages: 16\n  functions: 1"));
    Path bundle = Examples.bundle(temp, "thermostat");

    GraftRun.Result result = graft().run("policy", "check", bundle.toString(), grant.toString());

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.ATTENTION.code());
    assertThat(result.out()).contains("function").contains("ceiling of 1");
  }

  @Test
  void check_invalidGrant_refusedNamingTheGrantFile() throws Exception {
    Path grant = temp.resolve("broken.yaml");
    Files.writeString(grant, "devices: [1, 2\n");
    Path bundle = Examples.bundle(temp, "thermostat");

    GraftRun.Result result = graft().run("policy", "check", bundle.toString(), grant.toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains(grant + " is not a valid site grant", "fix the grant");
  }

  @Test
  void check_notABundle_refusedNamingTheBundle() throws Exception {
    Path bundle = temp.resolve("x.graft");
    Files.writeString(bundle, "PK not really");

    GraftRun.Result result =
        graft()
            .run(
                "policy",
                "check",
                bundle.toString(),
                Examples.grant("boiler-site.yaml").toString());

    assertThat(result.exitCode()).isEqualTo(ExitCode.FAILURE.code());
    assertThat(result.err()).contains(bundle + " is not a valid Graft bundle");
  }

  @Test
  void help_teachesByExampleAndNamesExitCodes() {
    GraftRun.Result help = graft().run("policy", "check", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Examples:", "graft policy check", "3 rejected");
  }
}
