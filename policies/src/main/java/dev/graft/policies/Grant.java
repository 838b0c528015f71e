package dev.graft.policies;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.dataformat.yaml.YAMLFactory;

/**
 * What the operator allows on one gateway (the signed site grant, YAML): the field devices and
 * which of their tables, addresses and resources a module may touch, resource ceilings, every
 * output's range, safe value and fault policy, and how updates are watched and rolled back.
 *
 * <p>Outputs are keyed by device and raw address, never by a module's point name or scale, so a new
 * module cannot rename its way around an output's limits. {@code swap_when} and {@code
 * watch.expect} are kept as non-empty strings; they are not yet parsed.
 */
public record Grant(
    Map<String, Device> devices,
    Ceilings ceilings,
    List<Output> outputs,
    Watch watch,
    RollbackMode rollback,
    @Nullable Swap swap,
    @Nullable UpdatePermit updatePermit) {

  /** A grant is a few kilobytes; the cap is checked before the YAML parser sees a byte. */
  public static final int MAX_BYTES = 256 * 1024;

  private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern CREDENTIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
  private static final Pattern UNIT = Pattern.compile("unit=(\\d{1,3})");
  private static final YAMLFactory YAML =
      YAMLFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(MAX_BYTES)
                  .maxNestingDepth(32)
                  .maxNumberLength(64)
                  .build())
          .build();
  private static final Document.Failure FAILURE = GrantException::new;

  public Grant {
    devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
    outputs = List.copyOf(outputs);
  }

  public enum Transport {
    MODBUS_TCP("modbus-tcp"),
    COAP("coap"),
    COAPS("coaps");

    private final String scheme;

    Transport(String scheme) {
      this.scheme = scheme;
    }

    public String scheme() {
      return scheme;
    }

    public boolean modbus() {
      return this == MODBUS_TCP;
    }
  }

  public enum Access {
    READ,
    WRITE,
    READ_WRITE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public boolean reads() {
      return this != WRITE;
    }

    public boolean writes() {
      return this != READ;
    }

    String phrase() {
      return this == READ_WRITE ? "read/write" : wire();
    }
  }

  public enum FaultPolicy {
    HOLD,
    SAFE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** On a failed watch: roll back, keep running and alarm, or drive outputs safe and alarm. */
  public enum RollbackMode {
    AUTO,
    ALARM,
    SAFE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One field device. The address never carries a secret; {@code credential} only names one in the
   * gateway's token or local secret store.
   */
  public record Device(
      String name,
      URI address,
      Transport transport,
      @Nullable String credential,
      List<ModbusRange> modbus,
      List<CoapResource> coap) {
    public Device {
      modbus = List.copyOf(modbus);
      coap = List.copyOf(coap);
    }
  }

  /** Addresses {@code from}–{@code to} (inclusive) of one Modbus table. */
  public record ModbusRange(ModbusTable table, int from, int to, Access access) {
    public boolean contains(int address) {
      return address >= from && address <= to;
    }
  }

  public record CoapResource(String path, List<CoapMethod> methods) {
    public CoapResource {
      methods = List.copyOf(methods);
    }
  }

  /**
   * What a module may make the host spend: linear memory, time per call, and the per-instance
   * structures besides memory (table entries, element-segment entries, globals, functions), each
   * checked statically and, where the module can grow it, at run time. The last four are optional
   * in the YAML; their defaults fit every example module with room to spare and keep an instance's
   * heap beyond its linear memory well under 1 MiB (P4).
   */
  public record Ceilings(
      int memoryPages,
      long tickBudgetUs,
      int minTickMs,
      long initBudgetMs,
      long selfTestBudgetMs,
      int tableEntries,
      int elementEntries,
      int globals,
      int functions) {

    /** Default {@code table_entries}: about 80 KiB of heap per instance at 8 bytes an entry. */
    public static final int DEFAULT_TABLE_ENTRIES = 10_000;

    /** Default {@code element_entries}, all element segments together. */
    public static final int DEFAULT_ELEMENT_ENTRIES = 10_000;

    /** Default {@code globals}. */
    public static final int DEFAULT_GLOBALS = 1_000;

    /** Default {@code functions}, imported and defined. */
    public static final int DEFAULT_FUNCTIONS = 10_000;

    /** Ceilings with the default table, element, global and function limits. */
    public Ceilings(
        int memoryPages,
        long tickBudgetUs,
        int minTickMs,
        long initBudgetMs,
        long selfTestBudgetMs) {
      this(
          memoryPages,
          tickBudgetUs,
          minTickMs,
          initBudgetMs,
          selfTestBudgetMs,
          DEFAULT_TABLE_ENTRIES,
          DEFAULT_ELEMENT_ENTRIES,
          DEFAULT_GLOBALS,
          DEFAULT_FUNCTIONS);
    }
  }

  /** Where an output lands: a Modbus coil or holding register, or a CoAP resource. */
  public sealed interface Target {
    record Register(ModbusTable table, int address) implements Target {}

    record Resource(String path) implements Target {}
  }

  /** One output's limits in raw device units, its safe value and what to do on a fault. */
  public record Output(
      String device,
      Target target,
      BigDecimal min,
      BigDecimal max,
      BigDecimal safe,
      FaultPolicy fault) {}

  public record Watch(int windowS, int faultLimit, @Nullable Condition expect) {}

  /** Swap only when {@code when} holds, waiting at most {@code timeoutS} seconds. */
  public record Swap(Condition when, int timeoutS) {}

  /** A device input that must be on (1) for any swap. */
  public record UpdatePermit(String device, ModbusTable table, int address) {}

  public Optional<Swap> swapCondition() {
    return Optional.ofNullable(swap);
  }

  public Optional<UpdatePermit> permit() {
    return Optional.ofNullable(updatePermit);
  }

  /** The output entry for a target on a device, if the grant has one. */
  public Optional<Output> output(String device, Target target) {
    return outputs.stream()
        .filter(o -> o.device().equals(device) && o.target().equals(target))
        .findFirst();
  }

  /** Parses and validates a grant; the first problem found is reported. */
  public static Grant parse(byte[] yaml) {
    Members root = Members.of(Document.read(YAML, yaml, MAX_BYTES, FAILURE), "", FAILURE);
    Map<String, Device> devices = new LinkedHashMap<>();
    for (Members.Item entry : root.object("devices").entries()) {
      if (!DEVICE_NAME.matcher(entry.key()).matches()) {
        throw Members.fail(
            entry.node(), entry.path(), FAILURE, "'" + entry.key() + "' is not a device name");
      }
      devices.put(entry.key(), device(entry.key(), entry.members(FAILURE)));
    }
    if (devices.isEmpty()) {
      throw root.fail("devices", "a grant names at least one device");
    }
    Members c = root.object("ceilings");
    Ceilings ceilings =
        new Ceilings(
            (int) c.integer("memory_pages", 1, 65_536),
            c.integer("tick_budget_us", 1, 60_000_000),
            (int) c.integer("min_tick_ms", 1, 3_600_000),
            c.integer("init_budget_ms", 1, 600_000),
            c.integer("self_test_budget_ms", 1, 600_000),
            (int) c.optionalInteger("table_entries", Ceilings.DEFAULT_TABLE_ENTRIES, 0, 1_000_000),
            (int)
                c.optionalInteger(
                    "element_entries", Ceilings.DEFAULT_ELEMENT_ENTRIES, 0, 1_000_000),
            (int) c.optionalInteger("globals", Ceilings.DEFAULT_GLOBALS, 0, 100_000),
            (int) c.optionalInteger("functions", Ceilings.DEFAULT_FUNCTIONS, 1, 1_000_000));
    c.done();
    List<Output> outputs = new ArrayList<>();
    Set<String> outputKeys = new HashSet<>();
    for (Members.Item item : root.optionalArray("outputs")) {
      Output output = output(item.members(FAILURE), devices);
      if (!outputKeys.add(output.device() + " " + output.target())) {
        throw Members.fail(item.node(), item.path(), FAILURE, "a second entry for the same output");
      }
      outputs.add(output);
    }
    Members w = root.object("watch");
    Watch watch =
        new Watch(
            (int) w.integer("window_s", 1, 7 * 86_400),
            (int) w.integer("fault_limit", 0, 1_000_000),
            w.has("expect") ? condition(w, "expect") : null);
    w.done();
    RollbackMode rollback = root.choice("rollback", RollbackMode.values(), RollbackMode::wire);
    Optional<Condition> when =
        root.has("swap_when") ? Optional.of(condition(root, "swap_when")) : Optional.empty();
    Optional<Long> timeout =
        root.has("swap_timeout_s")
            ? Optional.of(root.integer("swap_timeout_s", 1, 7 * 86_400))
            : Optional.empty();
    if (when.isPresent() != timeout.isPresent()) {
      throw root.fail(
          when.isPresent() ? "swap_when" : "swap_timeout_s",
          "swap_when and swap_timeout_s go together");
    }
    Swap swap = when.map(text -> new Swap(text, timeout.orElseThrow().intValue())).orElse(null);
    UpdatePermit permit =
        root.optionalObject("update_permit").map(p -> permit(p, devices)).orElse(null);
    root.done();
    return new Grant(devices, ceilings, outputs, watch, rollback, swap, permit);
  }

  private static Condition condition(Members members, String name) {
    String text = members.text(name);
    try {
      return Condition.parse(text);
    } catch (PolicyViolationException e) {
      throw members.fail(name, "'" + text + "' is not a condition, " + e.getMessage());
    }
  }

  private static Device device(String name, Members members) {
    String text = members.text("address");
    URI address;
    try {
      address = new URI(text);
    } catch (URISyntaxException e) {
      throw members.fail("address", "'" + text + "' is not a URI: " + e.getReason());
    }
    Transport transport = null;
    for (Transport candidate : Transport.values()) {
      if (candidate.scheme().equals(address.getScheme())) {
        transport = candidate;
      }
    }
    if (transport == null) {
      throw members.fail(
          "address", "'" + text + "' must start with modbus-tcp://, coap:// or coaps://");
    }
    checkAddress(members, text, address, transport);
    String credential = members.optionalText("credential").orElse(null);
    if (credential != null && !CREDENTIAL.matcher(credential).matches()) {
      // the grant names a credential; the secret itself lives in the gateway's secret store
      throw members.fail("credential", "must be the name of a credential, not a secret");
    }
    List<ModbusRange> ranges = new ArrayList<>();
    for (Members.Item item : members.optionalArray("modbus")) {
      if (!transport.modbus()) {
        throw members.fail("modbus", "'" + name + "' is a CoAP device; it has no Modbus tables");
      }
      ranges.add(range(item.members(FAILURE)));
    }
    List<CoapResource> resources = new ArrayList<>();
    for (Members.Item item : members.optionalArray("coap")) {
      if (transport.modbus()) {
        throw members.fail("coap", "'" + name + "' is a Modbus device; it has no CoAP resources");
      }
      resources.add(resource(item.members(FAILURE)));
    }
    members.done();
    return new Device(name, address, transport, credential, ranges, resources);
  }

  private static void checkAddress(Members members, String text, URI address, Transport transport) {
    if (address.getHost() == null
        || address.getRawUserInfo() != null
        || address.getRawFragment() != null
        || !(address.getRawPath() == null || address.getRawPath().isEmpty())) {
      throw members.fail(
          "address",
          "'"
              + text
              + "' must be scheme://host[:port] with no user, path or fragment"
              + " (credentials are named in 'credential', never written into the address)");
    }
    String query = address.getRawQuery();
    if (query == null) {
      return;
    }
    Matcher unit = UNIT.matcher(query);
    if (!transport.modbus() || !unit.matches() || Integer.parseInt(unit.group(1)) > 255) {
      throw members.fail(
          "address", "'" + text + "': the only query allowed is unit=0–255 on modbus-tcp");
    }
  }

  private static ModbusRange range(Members members) {
    ModbusTable table = members.choice("table", ModbusTable.values(), ModbusTable::wire);
    int from = (int) members.integer("from", 0, 65_535);
    int to = (int) members.integer("to", 0, 65_535);
    if (to < from) {
      throw members.fail("to", "range ends at " + to + ", before it starts at " + from);
    }
    Access access = members.choice("access", Access.values(), Access::wire);
    if (access.writes() && !table.writable()) {
      throw members.fail("access", table.plural() + " are read-only; access must be read");
    }
    members.done();
    return new ModbusRange(table, from, to, access);
  }

  private static CoapResource resource(Members members) {
    String path = members.text("path");
    if (!path.startsWith("/")) {
      throw members.fail("path", "a CoAP path starts with '/'");
    }
    List<CoapMethod> methods = new ArrayList<>();
    for (Members.Item item : members.array("methods")) {
      CoapMethod method =
          Members.choice(item.node(), item.path(), FAILURE, CoapMethod.values(), CoapMethod::wire);
      if (methods.contains(method)) {
        throw Members.fail(item.node(), item.path(), FAILURE, method + " listed twice");
      }
      methods.add(method);
    }
    if (methods.isEmpty()) {
      throw members.fail("methods", "list at least one method");
    }
    members.done();
    return new CoapResource(path, methods);
  }

  private static Output output(Members members, Map<String, Device> devices) {
    String deviceName = members.text("device");
    Device device = devices.get(deviceName);
    if (device == null) {
      throw members.fail("device", "no device '" + deviceName + "' in this grant");
    }
    Target target;
    boolean isRegister = members.has("table") || members.has("address");
    boolean isResource = members.has("path");
    if (isRegister == isResource || isRegister != device.transport().modbus()) {
      throw members.fail(
          device.transport().modbus()
              ? "an output on a Modbus device names 'table' and 'address'"
              : "an output on a CoAP device names 'path'");
    }
    BigDecimal min = members.decimal("min");
    BigDecimal max = members.decimal("max");
    BigDecimal safe = members.decimal("safe");
    if (isRegister) {
      ModbusTable table = members.choice("table", ModbusTable.values(), ModbusTable::wire);
      if (!table.writable()) {
        throw members.fail("table", table.plural() + " are read-only; they cannot be outputs");
      }
      int address = (int) members.integer("address", 0, 65_535);
      boolean writable =
          device.modbus().stream()
              .anyMatch(r -> r.table() == table && r.contains(address) && r.access().writes());
      if (!writable) {
        throw members.fail(
            "address",
            table.singular()
                + " "
                + address
                + " of '"
                + deviceName
                + "' is not in a write range of that device");
      }
      if (table == ModbusTable.COIL && !(isBit(min) && isBit(max) && isBit(safe))) {
        throw members.fail("a coil output's min, max and safe are 0 or 1");
      }
      target = new Target.Register(table, address);
    } else {
      String path = members.text("path");
      boolean writable =
          device.coap().stream()
              .anyMatch(r ->
                  r.path().equals(path)
                      && (r.methods().contains(CoapMethod.PUT)
                          || r.methods().contains(CoapMethod.POST)));
      if (!writable) {
        throw members.fail("path", path + " of '" + deviceName + "' is not granted PUT or POST");
      }
      target = new Target.Resource(path);
    }
    if (min.compareTo(max) > 0) {
      throw members.fail("max", "max " + max + " is below min " + min);
    }
    if (safe.compareTo(min) < 0 || safe.compareTo(max) > 0) {
      throw members.fail("safe", "safe value " + safe + " is outside " + min + "–" + max);
    }
    FaultPolicy fault = members.choice("fault", FaultPolicy.values(), FaultPolicy::wire);
    members.done();
    return new Output(deviceName, target, min, max, safe, fault);
  }

  private static boolean isBit(BigDecimal value) {
    return value.compareTo(BigDecimal.ZERO) == 0 || value.compareTo(BigDecimal.ONE) == 0;
  }

  private static UpdatePermit permit(Members members, Map<String, Device> devices) {
    String deviceName = members.text("device");
    Device device = devices.get(deviceName);
    if (device == null || !device.transport().modbus()) {
      throw members.fail("device", "no Modbus device '" + deviceName + "' in this grant");
    }
    ModbusTable table = members.choice("table", ModbusTable.values(), ModbusTable::wire);
    if (!table.bits()) {
      throw members.fail("table", "the update permit is a coil or a discrete input");
    }
    int address = (int) members.integer("address", 0, 65_535);
    if (device.modbus().stream()
        .noneMatch(r -> r.table() == table && r.contains(address) && r.access().reads())) {
      throw members.fail(
          "address", table.singular() + " " + address + " is not in a read range of that device");
    }
    members.done();
    return new UpdatePermit(deviceName, table, address);
  }
}
