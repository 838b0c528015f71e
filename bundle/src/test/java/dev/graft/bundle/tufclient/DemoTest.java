package dev.graft.bundle.tufclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command must keep doing what it says: accept the release, refuse attacks. */
class DemoTest {
  @Test
  void run_freshWorkDirectory_acceptsReleaseAndRefusesEveryAttack(@TempDir Path work)
      throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();

    Demo.run(work, new PrintStream(output, true, StandardCharsets.UTF_8));

    String text = output.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("director and image repository agree on boiler-control-1.4.0.graft")
        .contains("installed candidate: module boiler-control 1.4.0")
        .contains("HashMismatchException")
        .contains("RollbackAttackException")
        .contains("WrongGatewayException")
        .doesNotContain("unchanged: NO")
        .contains("[7/7] done");
    assertThat(text.split("trusted metadata unchanged: yes", -1)).hasSize(4);
    assertThat(work.resolve("gateway/image/root.json")).exists();
    assertThat(Files.readString(work.resolve("keys/image-root.pem")))
        .startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  }
}
