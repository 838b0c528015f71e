package dev.graft.policies;

import dev.graft.policies.Grant.Device;
import dev.graft.policies.Grant.ModbusRange;
import dev.graft.policies.Manifest.CoapPoint;
import dev.graft.policies.Manifest.Direction;
import dev.graft.policies.Manifest.ModbusPoint;
import dev.graft.policies.Manifest.Point;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Whether a manifest lies inside a grant. A bundle is staged only when every point and limit does;
 * otherwise every violation is named, not just the first, so one report tells the operator or the
 * module's author everything to fix.
 */
public sealed interface CapabilityCheck {

  record Accepted() implements CapabilityCheck {}

  record Rejected(List<Violation> violations) implements CapabilityCheck {
    public Rejected {
      violations = List.copyOf(violations);
      if (violations.isEmpty()) {
        throw new IllegalArgumentException("a rejection names at least one violation");
      }
    }
  }

  static CapabilityCheck check(Manifest manifest, Grant grant) {
    List<Violation> violations = new ArrayList<>();
    limits(manifest, grant.ceilings(), violations);
    for (Point point : manifest.points()) {
      Device device = grant.devices().get(point.device());
      if (device == null) {
        violations.add(
            new Violation(
                point.name(),
                point.device(),
                null,
                null,
                "point '"
                    + point.name()
                    + "' uses device '"
                    + point.device()
                    + "', which the grant does not name (granted devices: "
                    + String.join(", ", grant.devices().keySet())
                    + ")"));
        continue;
      }
      switch (point) {
        case Point.Modbus modbus -> modbus(modbus, device, grant, violations);
        case Point.Coap coap -> coap(coap, device, grant, violations);
      }
    }
    conditions(manifest, grant, violations);
    return violations.isEmpty() ? new Accepted() : new Rejected(violations);
  }

  /** The grant's conditions read the module's points by name; each must be declared. */
  private static void conditions(Manifest manifest, Grant grant, List<Violation> out) {
    Set<String> declared = manifest.points().stream().map(Point::name).collect(Collectors.toSet());
    Map<String, Condition> conditions = new LinkedHashMap<>();
    grant.swapCondition().ifPresent(swap -> conditions.put("swap_when", swap.when()));
    Condition expect = grant.watch().expect();
    if (expect != null) {
      conditions.put("watch.expect", expect);
    }
    conditions.forEach((where, condition) -> {
      for (String name : condition.points()) {
        if (!declared.contains(name)) {
          out.add(
              new Violation(
                  name,
                  null,
                  null,
                  null,
                  "the grant's "
                      + where
                      + " reads point '"
                      + name
                      + "', which the manifest does not declare"));
        }
      }
    });
  }

  private static void limits(Manifest manifest, Grant.Ceilings ceilings, List<Violation> out) {
    if (manifest.limits().memoryPages() > ceilings.memoryPages()) {
      out.add(
          Violation.ofLimit(
              "limits.memory_pages "
                  + manifest.limits().memoryPages()
                  + " exceeds the grant's ceiling of "
                  + ceilings.memoryPages()
                  + " pages"));
    }
    if (manifest.limits().tickBudgetUs() > ceilings.tickBudgetUs()) {
      out.add(
          Violation.ofLimit(
              "limits.tick_budget_us "
                  + manifest.limits().tickBudgetUs()
                  + " exceeds the grant's ceiling of "
                  + ceilings.tickBudgetUs()
                  + " µs"));
    }
    if (manifest.tickMs() < ceilings.minTickMs()) {
      out.add(
          Violation.ofLimit(
              "tick_ms "
                  + manifest.tickMs()
                  + " is faster than the grant's minimum tick period of "
                  + ceilings.minTickMs()
                  + " ms"));
    }
  }

  private static void modbus(Point.Modbus point, Device device, Grant grant, List<Violation> out) {
    ModbusPoint modbus = point.modbus();
    ModbusTable table = modbus.table();
    String verb = point.dir() == Direction.IN ? "reads" : "writes";
    String what =
        "point '"
            + point.name()
            + "' "
            + verb
            + " "
            + table.singular()
            + " "
            + (modbus.type().width() == 1
                ? String.valueOf(modbus.address())
                : modbus.address() + "–" + modbus.lastAddress() + " (" + modbus.type().wire() + ")")
            + " of '"
            + device.name()
            + "'";
    if (!device.transport().modbus()) {
      out.add(
          new Violation(
              point.name(),
              device.name(),
              table,
              modbus.address(),
              what + ", but the grant reaches that device over " + device.transport().scheme()));
      return;
    }
    boolean write = point.dir() == Direction.OUT;
    for (int address = modbus.address(); address <= modbus.lastAddress(); address++) {
      if (!covered(device, table, address, write)) {
        out.add(
            new Violation(
                point.name(),
                device.name(),
                table,
                modbus.address(),
                what + "; the grant allows " + allowed(device, table)));
        break;
      }
    }
    Grant.Output output =
        write
            ? grant
                .output(device.name(), new Grant.Target.Register(table, modbus.address()))
                .orElse(null)
            : null;
    if (output != null) {
      outputValues(point, modbus, device, output, what, out);
    }
    if (write && output == null) {
      out.add(
          new Violation(
              point.name(),
              device.name(),
              table,
              modbus.address(),
              what
                  + ", but the grant has no output entry (range, safe value, fault policy) for"
                  + " it"));
    }
  }

  /**
   * The grant's min, max and safe value are raw device values: each must be one the point's type
   * can hold, or the field layer would write something else (safe -5 on a uint16 as 65531) or
   * refuse what {@code point_set} accepted.
   */
  private static void outputValues(
      Point point,
      ModbusPoint modbus,
      Device device,
      Grant.Output output,
      String what,
      List<Violation> out) {
    Manifest.ValueType type = modbus.type();
    Map<String, java.math.BigDecimal> values = new LinkedHashMap<>();
    values.put("min", output.min());
    values.put("max", output.max());
    values.put("safe value", output.safe());
    values.forEach((name, value) -> {
      String problem = null;
      if (!type.inRange(value)) {
        problem =
            " is outside what a "
                + type.wire()
                + " holds ("
                + type.minRaw().toPlainString()
                + " to "
                + type.maxRaw().toPlainString()
                + ")";
      } else if (name.equals("safe value")
          && type.integral()
          && value.stripTrailingZeros().scale() > 0) {
        problem =
            " is not a whole number, which "
                + (type.wire().startsWith("int") || type.wire().startsWith("uint") ? "an " : "a ")
                + type.wire()
                + " needs";
      }
      if (problem != null) {
        out.add(
            new Violation(
                point.name(),
                device.name(),
                modbus.table(),
                modbus.address(),
                what + ", but the grant's " + name + " " + value.toPlainString() + problem));
      }
    });
  }

  private static boolean covered(Device device, ModbusTable table, int address, boolean write) {
    return device.modbus().stream()
        .anyMatch(r ->
            r.table() == table
                && r.contains(address)
                && (write ? r.access().writes() : r.access().reads()));
  }

  private static String allowed(Device device, ModbusTable table) {
    List<ModbusRange> ranges = device.modbus().stream().filter(r -> r.table() == table).toList();
    if (ranges.isEmpty()) {
      return "no " + table.plural() + " on '" + device.name() + "'";
    }
    return table.plural()
        + " "
        + ranges.stream()
            .map(r ->
                (r.from() == r.to() ? r.from() : r.from() + "–" + r.to())
                    + " "
                    + r.access().phrase())
            .collect(Collectors.joining(", "));
  }

  private static void coap(Point.Coap point, Device device, Grant grant, List<Violation> out) {
    CoapPoint coap = point.coap();
    String what =
        "point '"
            + point.name()
            + "' uses "
            + coap.method()
            + " "
            + coap.path()
            + " on '"
            + device.name()
            + "'";
    if (device.transport().modbus()) {
      out.add(
          new Violation(
              point.name(),
              device.name(),
              null,
              null,
              what + ", but the grant reaches that device over modbus-tcp"));
      return;
    }
    boolean allowed =
        device.coap().stream()
            .anyMatch(r -> r.path().equals(coap.path()) && r.methods().contains(coap.method()));
    if (!allowed) {
      String granted =
          device.coap().isEmpty()
              ? "no CoAP resources"
              : device.coap().stream()
                  .map(r ->
                      r.methods().stream().map(CoapMethod::wire).collect(Collectors.joining("/"))
                          + " "
                          + r.path())
                  .collect(Collectors.joining(", "));
      out.add(
          new Violation(
              point.name(), device.name(), null, null, what + "; the grant allows " + granted));
    }
    if (point.dir() == Direction.OUT
        && grant.output(device.name(), new Grant.Target.Resource(coap.path())).isEmpty()) {
      out.add(
          new Violation(
              point.name(),
              device.name(),
              null,
              null,
              what
                  + ", but the grant has no output entry (range, safe value, fault policy) for"
                  + " it"));
    }
  }
}
