package dev.graft.signer;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GraftTest {

  @Test
  void version_printsProjectVersion() {
    GraftRun.Result result = graft().run("--version");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).containsPattern("graft \\d+\\.\\d+\\.\\d+");
    assertThat(result.out()).doesNotContain("${project.version}");
  }

  @Test
  void noArguments_printsUsageWithExamples() {
    GraftRun.Result result = graft().run();

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: graft", "Examples:", "Exit codes:");
  }

  @Test
  void unknownOption_exitsWithUsageCode() {
    GraftRun.Result result = graft().run("--no-such-option");

    assertThat(result.exitCode()).isEqualTo(ExitCode.USAGE.code());
    assertThat(result.err()).contains("graft: unknown option '--no-such-option'", "Usage: graft");
  }

  @Test
  void completion_printsBashScriptForTheCommandTree() {
    GraftRun.Result result = graft().run("completion");

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.out()).contains("complete -F", "_picocli_graft", "completion");
  }
}
