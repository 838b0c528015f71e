package dev.graft.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasonCodesTest {

  @Test
  void isFailure_retainedPublishWithoutSubscribers_isSuccess() {
    assertThat(ReasonCodes.isFailure(0x00)).isFalse();
    assertThat(ReasonCodes.isFailure(0x10)).isFalse();
    assertThat(ReasonCodes.isFailure(0x80)).isTrue();
    assertThat(ReasonCodes.isFailure(0x87)).isTrue();
  }

  @Test
  void brokerRefused_notAuthorized_namesCodeTopicAndFix() {
    BrokerRefusedException e = new BrokerRefusedException("a publish", "graft/v1/repo/x", 0x87);
    assertThat(e.reasonCode()).isEqualTo(0x87);
    assertThat(e.getMessage())
        .isEqualTo(
            "the broker refused a publish to graft/v1/repo/x with reason code 0x87 \"not"
                + " authorized\"; the broker's ACL does not let this identity use that topic (see"
                + " deploy/mosquitto/acl)");
    assertThat(new BrokerRefusedException("a publish", "t", 0x95).getMessage())
        .contains("0x95 \"packet too large\"", "max_packet_size");
  }
}
