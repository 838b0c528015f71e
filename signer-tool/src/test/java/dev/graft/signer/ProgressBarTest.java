package dev.graft.signer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
  private static Terminal terminal(StringWriter err, boolean interactive) {
    return new Terminal.Streams(
        new PrintWriter(new StringWriter(), true),
        new PrintWriter(err, true),
        null,
        interactive,
        prompt -> Optional.empty());
  }

  @Test
  void render_halfway_barPercentSizesAndThroughput() {
    assertThat(
            ProgressBar.render(
                "publishing", 1536 * 1024, 3 * 1024 * 1024, 2.5 * 1024 * 1024, "7/14"))
        .isEqualTo(
            "publishing [############------------]  50%  1.5 MiB of 3.0 MiB  2.5 MiB/s  7/14");
  }

  @Test
  void bytes_unitsFromBytesToGibibytes() {
    assertThat(ProgressBar.bytes(532)).isEqualTo("532 B");
    assertThat(ProgressBar.bytes(12_700)).isEqualTo("12.4 KiB");
    assertThat(ProgressBar.bytes(3L * 1024 * 1024 * 1024)).isEqualTo("3.0 GiB");
  }

  @Test
  void update_notInteractive_drawsNothing() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(terminal(err, false), "publishing");

    bar.update(10, 10, 100, "1/1");
    bar.finish();

    assertThat(err.toString()).isEmpty();
  }

  @Test
  void update_interactive_redrawsInPlaceAndFinishEndsTheLine() {
    StringWriter err = new StringWriter();
    ProgressBar bar = new ProgressBar(terminal(err, true), "publishing");

    bar.update(0, 10, 0, "0/2 messages");
    bar.update(10, 10, 100, "2/2");
    bar.finish();

    String drawn = err.toString();
    assertThat(drawn).startsWith("\rpublishing [").contains("\rpublishing [####").endsWith("\n");
    // The shorter second line pads over the longer first one.
    String[] lines = drawn.substring(1, drawn.length() - 1).split("\r");
    assertThat(lines).hasSize(2);
    assertThat(lines[1]).hasSizeGreaterThanOrEqualTo(lines[0].length());
  }
}
