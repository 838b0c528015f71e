package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.signer.GraftRun;
import java.nio.file.Path;

/**
 * A repository made through the command line as a release engineer makes one: {@code repo init}
 * with demo keys, {@code release add} of a real example bundle, {@code sign} of the targets.
 */
final class DemoRepository {
  static final String PASS = "demo passphrase 1";

  private DemoRepository() {}

  static GraftRun demo() {
    return graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
  }

  /** A repository in {@code dir/repo} that publishes {@code bundle} as a signed target. */
  static Path withRelease(Path dir, Path bundle) {
    Path repo = dir.resolve("repo");
    ok(
        demo()
            .run(
                "repo",
                "init",
                repo.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000"));
    ok(demo().run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-x86-64"));
    ok(
        demo()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                repo.resolve("keys/targets-1.pem").toString(),
                "--passphrase=env:PASS",
                "--yes"));
    return repo;
  }

  private static void ok(GraftRun.Result result) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
  }
}
