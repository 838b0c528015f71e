package dev.graft.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBrokerTest {
  @TempDir Path temp;

  @Test
  void start_writesConfigAndListensOnLoopback_closeStopsTheProcess() throws Exception {
    LocalBroker broker = LocalBroker.start(temp.resolve("broker"));
    ProcessHandle process;
    try {
      process = ProcessHandle.of(broker.pid()).orElseThrow();
      assertThat(process.isAlive()).isTrue();
      assertThat(broker.uri().toString()).isEqualTo("mqtt://127.0.0.1:" + broker.port());
      assertThat(Files.readString(temp.resolve("broker/mosquitto.conf")))
          .contains("listener " + broker.port() + " 127.0.0.1");
      assertThat(accepts(broker.port())).isTrue();
    } finally {
      broker.close();
    }

    assertThat(broker.isRunning()).isFalse();
    assertThat(process.isAlive()).isFalse();
    assertThat(accepts(broker.port())).isFalse();
  }

  @Test
  void close_twice_isHarmless() {
    LocalBroker broker = LocalBroker.start(temp.resolve("broker"));
    broker.close();
    broker.close();
    assertThat(broker.isRunning()).isFalse();
  }

  @Test
  @DisplayName("A demo stopped from outside (SIGTERM, as Ctrl-C's SIGINT) stops its broker too")
  void jvmStopped_shutdownHookStopsTheBroker() throws Exception {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process demo =
        new ProcessBuilder(
                javaBin,
                "-cp",
                System.getProperty("java.class.path"),
                HoldBroker.class.getName(),
                temp.resolve("held").toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try (var lines =
        new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
      long pid = Long.parseLong(lines.readLine().strip());
      ProcessHandle broker = ProcessHandle.of(pid).orElseThrow();
      assertThat(broker.isAlive()).isTrue();

      demo.destroy(); // SIGTERM: the JVM runs its shutdown hooks

      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(broker.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    } finally {
      demo.destroyForcibly();
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
