package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

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
}
