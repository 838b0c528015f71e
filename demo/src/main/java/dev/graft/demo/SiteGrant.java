package dev.graft.demo;

import java.nio.charset.StandardCharsets;

/**
 * The operator's grant for the simulated site: {@code policies/examples/boiler-site.yaml} with the
 * addresses the simulated devices were given. The gateway opens its field links from this grant
 * only, so the module can reach nothing else.
 */
final class SiteGrant {
  /** The credential name the grant gives the thermostat's pre-shared key (never the key). */
  static final String THERMOSTAT_CREDENTIAL = "thermostat-psk";

  /**
   * The watch window: long enough that the faulty 1.2.0, which traps at its 101st tick (10 s at 100
   * ms), fails it, short enough for a demo.
   */
  static final int WATCH_S = 12;

  /** What must hold while a new module is watched: the boiler never nears boiling. */
  static final String EXPECT = "temp < 95";

  private SiteGrant() {}

  /**
   * @param modbusAddress the PLC's {@code modbus-tcp://host:port?unit=N}
   * @param coapsAddress the thermostat's {@code coaps://host:port}
   */
  static byte[] forSite(String modbusAddress, String coapsAddress) {
    return forSite(modbusAddress, coapsAddress, WATCH_S, 0, "auto");
  }

  /**
   * The grant with another watch window, fault limit and rollback mode ({@code auto}, {@code alarm}
   * or {@code safe}).
   */
  static byte[] forSite(
      String modbusAddress, String coapsAddress, int watchS, int faultLimit, String rollback) {
    return forSite(modbusAddress, coapsAddress, watchS, faultLimit, rollback, EXPECT);
  }

  /** The grant with another watch {@code expect} too: a condition on the module's points. */
  static byte[] forSite(
      String modbusAddress,
      String coapsAddress,
      int watchS,
      int faultLimit,
      String rollback,
      String expect) {
    String yaml =
        """
        # Grant for the demo's simulated boiler site: what any control module may touch.
        devices:
          boiler-plc:
            address: %s
            modbus:
              - {table: input_register, from: 0, to: 15, access: read}
              - {table: discrete_input, from: 0, to: 7, access: read}
              - {table: coil, from: 0, to: 7, access: read_write}
          thermostat:
            address: %s
            credential: %s
            coap:
              - {path: /setpoint, methods: [GET]}
        ceilings:
          memory_pages: 16
          tick_budget_us: 5000
          min_tick_ms: 50
          init_budget_ms: 500
          self_test_budget_ms: 2000
        outputs:
          - device: boiler-plc
            table: coil
            address: 3
            min: 0
            max: 1
            safe: 0
            fault: safe
        watch:
          window_s: %d
          fault_limit: %d
          expect: "%s"
        rollback: %s
        swap_when: "burner == 0"
        swap_timeout_s: 60
        update_permit: {device: boiler-plc, table: discrete_input, address: 0}
        """
            .formatted(
                modbusAddress,
                coapsAddress,
                THERMOSTAT_CREDENTIAL,
                watchS,
                faultLimit,
                expect,
                rollback);
    return yaml.getBytes(StandardCharsets.UTF_8);
  }
}
