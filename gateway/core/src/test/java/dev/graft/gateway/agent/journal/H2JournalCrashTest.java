package dev.graft.gateway.agent.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * The durability claim: a transition whose method returned survives SIGKILL of the JVM at any
 * point, and the journal reopens cleanly (its audit chain intact). A child JVM commits transitions
 * and prints after each; this test kills it at a random point and reopens the file.
 */
class H2JournalCrashTest {

  @TempDir Path dir;

  @RepeatedTest(3)
  void kill9_atRandomPoint_everyPrintedTransitionSurvives() throws Exception {
    Path file = dir.resolve("journal");
    // Between ~10 and ~400 acknowledged transitions before the kill; the seed is in the message.
    long seed = System.nanoTime();
    int killAfter = 10 + new Random(seed).nextInt(390);

    // The child writes to a file, not a pipe: destroyForcibly() closes the pipe, and every line
    // the child wrote before it died counts as acknowledged.
    Path output = dir.resolve("child.out");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                JournalCrashChild.class.getName(),
                file.toString())
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (transitions(output).size() < killAfter
          && child.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    List<String> acknowledged = transitions(output);
    assertThat(acknowledged).as("seed %d", seed).hasSizeGreaterThanOrEqualTo(killAfter);

    long lastCounter = 0;
    long lastFloor = 0;
    long lastAudit = 0;
    try (Journal journal = H2Journal.open(file)) {
      for (String line : acknowledged) {
        String[] parts = line.split(" ");
        switch (parts[0]) {
          case "hash" ->
              assertThat(journal.isFailedHash(JournalCrashChild.hashOf(Integer.parseInt(parts[1]))))
                  .as("seed %d: %s", seed, line)
                  .isTrue();
          case "counter" -> lastCounter = Long.parseLong(parts[1]);
          case "floor" -> lastFloor = Long.parseLong(parts[1]);
          case "audit" -> lastAudit = Long.parseLong(parts[1]);
          default -> throw new AssertionError("unexpected line from the child: " + line);
        }
      }
      assertThat(journal.releaseFloor()).as("seed %d", seed).isGreaterThanOrEqualTo(lastFloor);
      assertThat(journal.nextCounter()).as("seed %d", seed).isGreaterThan(lastCounter);
      // Opening verified the chain; every acknowledged record is in it.
      assertThat(journal.auditHead().orElseThrow().seq())
          .as("seed %d", seed)
          .isGreaterThanOrEqualTo(lastAudit);
    }
  }

  private static List<String> transitions(Path output) throws IOException {
    String text = Files.readString(output, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    for (String line : text.lines().toList()) {
      if (!line.equals("open")) {
        lines.add(line);
      }
    }
    // A line cut short by the kill was not acknowledged: the child had not finished printing it.
    if (!text.isEmpty() && !text.endsWith("\n") && !lines.isEmpty()) {
      lines.removeLast();
    }
    return lines;
  }
}
