package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MqttOptionsTest {
  @Test
  void of_userInfoInTheUri_refusedWithoutRepeatingIt() {
    assertThatThrownBy(() -> MqttOptions.of(URI.create("mqtt://alice:hunter2@127.0.0.1:1883")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not carry a user name or password")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void login_toStringAndOptions_neverShowThePassword() {
    MqttLogin login = new MqttLogin("publisher", "hunter2".toCharArray());
    MqttOptions options = MqttOptions.of(URI.create("mqtt://127.0.0.1:1883")).withLogin(login);

    assertThat(login.toString()).contains("publisher").doesNotContain("hunter2");
    assertThat(options.toString()).doesNotContain("hunter2");
    assertThat(options.login())
        .hasValueSatisfying(l -> assertThat(l.password()).containsExactly("hunter2".toCharArray()));
  }

  @Test
  void login_passwordArray_isCopiedInAndOut() {
    char[] secret = "hunter2".toCharArray();
    MqttLogin login = new MqttLogin("publisher", secret);
    secret[0] = 'X';
    login.password()[1] = 'Y';

    assertThat(login.password()).containsExactly("hunter2".toCharArray());
  }

  @Test
  void withWill_payloadArray_isCopiedInAndOut() {
    byte[] payload = "offline".getBytes(StandardCharsets.UTF_8);
    MqttOptions options =
        MqttOptions.of(URI.create("mqtt://127.0.0.1:1883"))
            .withWill("graft/v1/gw/a/presence", payload, true);
    payload[0] = 'X';
    options.will().orElseThrow().payload()[1] = 'Y';

    MqttOptions.Will will = options.will().orElseThrow();
    assertThat(will.payload()).isEqualTo("offline".getBytes(StandardCharsets.UTF_8));
    assertThat(will.topic()).isEqualTo("graft/v1/gw/a/presence");
    assertThat(will.retained()).isTrue();
    assertThat(will)
        .isEqualTo(
            new MqttOptions.Will(
                "graft/v1/gw/a/presence", "offline".getBytes(StandardCharsets.UTF_8), true))
        .hasToString("Will[topic=graft/v1/gw/a/presence, 7 bytes, retained=true]");
  }

  @Test
  void of_noWill_willIsEmptyAndKeptByOtherWithers() {
    MqttOptions options = MqttOptions.of(URI.create("mqtt://127.0.0.1:1883"));

    assertThat(options.will()).isEmpty();
    assertThat(options.withWill("t", new byte[0], false).withClientId("gw-1").will()).isPresent();
  }

  @ParameterizedTest
  @ValueSource(strings = {"graft/v1/gw/+/presence", "graft/v1/gw/#", "#", "+", "a+b"})
  void withWill_wildcardTopic_refused(String topic) {
    MqttOptions options = MqttOptions.of(URI.create("mqtt://127.0.0.1:1883"));

    assertThatThrownBy(() -> options.withWill(topic, new byte[0], true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the will topic '" + topic + "' contains a wildcard (+ or #)")
        .hasMessageContaining("not a subscription filter");
  }

  @Test
  void withWill_emptyTopic_refused() {
    MqttOptions options = MqttOptions.of(URI.create("mqtt://127.0.0.1:1883"));

    assertThatThrownBy(() -> options.withWill("", new byte[0], true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "the will topic is empty; give the topic the broker should publish the will to");
  }

  @Test
  void withWill_nulInTopic_refused() {
    MqttOptions options = MqttOptions.of(URI.create("mqtt://127.0.0.1:1883"));

    assertThatThrownBy(() -> options.withWill("a\0b", new byte[0], true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the will topic contains a NUL character");
  }
}
