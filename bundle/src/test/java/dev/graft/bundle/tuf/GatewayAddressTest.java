package dev.graft.bundle.tuf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.WrongGatewayException;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.testing.RepositoryFixture;
import dev.graft.bundle.testing.StoreContents;
import org.junit.jupiter.api.Test;

/**
 * Director metadata is per gateway: its timestamp, snapshot and targets carry {@code "gateway"} in
 * the signed object, and a gateway refuses, before storing anything, files addressed to another.
 */
class GatewayAddressTest {
  private final RepositoryFixture fixture = new RepositoryFixture();

  private TufClient gatewayOne() {
    return fixture.clientBuilder().gatewayId("gw-1").build();
  }

  private static JsonObject addressedTo(String gatewayId) {
    return JsonObject.builder().put("gateway", gatewayId).build();
  }

  @Test
  void refresh_allAddressedToThisGateway_accepted() {
    fixture.addressTo("gw-1");
    fixture.addTarget("boiler-control-1.4.0.graft", "bundle");
    fixture.initialise().publish();

    TufClient client = gatewayOne();
    client.refresh();

    assertThat(client.requireTarget("boiler-control-1.4.0.graft").length()).isEqualTo(6);
    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot", "targets");
  }

  @Test
  void refresh_timestampForOtherGateway_throwsWrongGatewayAndStoresNothing() {
    fixture.addressTo("gw-2");
    fixture.initialise().publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class)
        .hasMessageContaining("timestamp metadata version 1 is addressed to 'gw-2'")
        .hasMessageContaining("'gw-1'");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_timestampWithoutGatewayField_throwsWrongGatewayAndStoresNothing() {
    fixture.initialise().publish();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class)
        .hasMessageContaining("addressed to no gateway");
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_snapshotForOtherGateway_throwsWrongGatewayAndStoresNoSnapshot() {
    fixture.addressTo("gw-1");
    fixture.extraMembers.put(RoleType.SNAPSHOT, addressedTo("gw-2"));
    fixture.initialise().publish();

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class)
        .hasMessageContaining("snapshot metadata version 1 is addressed to 'gw-2'");
    assertThat(fixture.store.roleNames()).containsExactlyInAnyOrder("root", "timestamp");
  }

  @Test
  void refresh_targetsWithoutGatewayField_throwsWrongGatewayAndStoresNoTargets() {
    fixture.addressTo("gw-1");
    fixture.extraMembers.remove(RoleType.TARGETS);
    fixture.initialise().publish();

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class)
        .hasMessageContaining("targets metadata version 1 is addressed to no gateway");
    assertThat(fixture.store.roleNames())
        .containsExactlyInAnyOrder("root", "timestamp", "snapshot");
  }

  @Test
  void refresh_otherGatewaysNewerReleaseReplayed_throwsWrongGatewayAndStoresNothing() {
    fixture.addressTo("gw-1");
    fixture.initialise().publish();
    gatewayOne().refresh();
    // Correctly signed, newer metadata for gw-2, served to gw-1.
    fixture.addressTo("gw-2");
    fixture.publishNext();
    StoreContents before = StoreContents.of(fixture.store);

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class);
    assertThat(StoreContents.of(fixture.store)).isEqualTo(before);
  }

  @Test
  void refresh_gatewayFieldNotAString_throwsWrongGateway() {
    fixture.extraMembers.put(RoleType.TIMESTAMP, JsonObject.builder().put("gateway", 1).build());
    fixture.initialise().publish();

    assertThatThrownBy(() -> gatewayOne().refresh())
        .isExactlyInstanceOf(WrongGatewayException.class);
  }

  @Test
  void refresh_imageRepositoryClientWithoutGatewayId_ignoresField() {
    fixture.addressTo("gw-2");
    fixture.initialise().publish();

    TufClient client = fixture.client();
    client.refresh();

    assertThat(client.targetsRoles()).containsKey("targets");
  }
}
