package dev.graft.policies;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * What a control-logic module asks for: its identity, tick period, resource limits and the field
 * points it reads and writes (in the order {@code point_get}/{@code point_set} index them).
 */
public record Manifest(
    String abi,
    String name,
    String version,
    int stateVersion,
    List<Integer> acceptsState,
    Module module,
    int tickMs,
    Limits limits,
    List<Point> points,
    boolean selfTest,
    int shadowTicks,
    int saveEveryTicks) {

  /** The only ABI this gateway runs. */
  public static final String ABI = "graft/1";

  /** A manifest is a few kilobytes; anything far larger is not a manifest. */
  public static final int MAX_BYTES = 256 * 1024;

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
  // point names are read by the grant's conditions (swap_when, expect), so they are identifiers
  private static final Pattern POINT_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(MAX_BYTES)
                  .maxNestingDepth(32)
                  .maxNumberLength(64)
                  .build())
          .build();
  private static final Document.Failure FAILURE = ManifestException::new;

  public Manifest {
    acceptsState = List.copyOf(acceptsState);
    points = List.copyOf(points);
  }

  /** The module's expected SHA-256, lowercase hex. */
  public record Module(String sha256) {}

  /** Resource limits the module declares; each must lie within the grant's ceilings. */
  public record Limits(int memoryPages, long tickBudgetUs) {}

  public enum Direction {
    IN,
    OUT;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** How a value is laid out in Modbus registers; 32-bit types span two registers. */
  public enum ValueType {
    BOOL(1),
    INT16(1),
    UINT16(1),
    INT32(2),
    UINT32(2),
    FLOAT32(2);

    private final int width;

    ValueType(int width) {
      this.width = width;
    }

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Number of addresses the value occupies. */
    public int width() {
      return width;
    }

    /** Whether the raw value is a whole number (every type but {@code float32}). */
    public boolean integral() {
      return this != FLOAT32;
    }

    /** The smallest raw value the type holds. */
    public BigDecimal minRaw() {
      return switch (this) {
        case BOOL, UINT16, UINT32 -> BigDecimal.ZERO;
        case INT16 -> BigDecimal.valueOf(Short.MIN_VALUE);
        case INT32 -> BigDecimal.valueOf(Integer.MIN_VALUE);
        case FLOAT32 -> new BigDecimal(-Float.MAX_VALUE);
      };
    }

    /** The largest raw value the type holds. */
    public BigDecimal maxRaw() {
      return switch (this) {
        case BOOL -> BigDecimal.ONE;
        case INT16 -> BigDecimal.valueOf(Short.MAX_VALUE);
        case UINT16 -> BigDecimal.valueOf(0xffff);
        case INT32 -> BigDecimal.valueOf(Integer.MAX_VALUE);
        case UINT32 -> BigDecimal.valueOf(0xffff_ffffL);
        case FLOAT32 -> new BigDecimal(Float.MAX_VALUE);
      };
    }

    /** Whether {@code raw} lies within {@link #minRaw()} and {@link #maxRaw()}. */
    public boolean inRange(BigDecimal raw) {
      return raw.compareTo(minRaw()) >= 0 && raw.compareTo(maxRaw()) <= 0;
    }
  }

  /**
   * One field point: a Modbus register (or registers) or a CoAP resource on a named device. Sealed,
   * so a caller branches with a {@code switch} and a new kind of point breaks the build, not a
   * device write.
   */
  public sealed interface Point {
    String name();

    Direction dir();

    String device();

    /** A point read or written over Modbus. */
    record Modbus(String name, Direction dir, String device, ModbusPoint modbus) implements Point {}

    /** A point read or written over CoAP. */
    record Coap(String name, Direction dir, String device, CoapPoint coap) implements Point {}
  }

  /**
   * Which register of a 32-bit value comes first: {@code BIG} puts the high word at the lower
   * address (the Modbus convention), {@code LITTLE} the low word. Bytes within a register are
   * always big-endian, as the protocol defines them.
   */
  public enum WordOrder {
    BIG,
    LITTLE;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A Modbus point: value = raw × scale + offset. */
  public record ModbusPoint(
      ModbusTable table,
      int address,
      ValueType type,
      BigDecimal scale,
      BigDecimal offset,
      WordOrder wordOrder) {

    /** A point with no offset and the high word first. */
    public ModbusPoint(ModbusTable table, int address, ValueType type, BigDecimal scale) {
      this(table, address, type, scale, BigDecimal.ZERO, WordOrder.BIG);
    }

    /** The last address the value occupies. */
    public int lastAddress() {
      return address + type.width() - 1;
    }
  }

  public record CoapPoint(String path, CoapMethod method) {}

  /** Parses and validates {@code manifest.json}; the first problem found is reported. */
  public static Manifest parse(byte[] json) {
    Members root = Members.of(Document.read(JSON, json, MAX_BYTES, FAILURE), "", FAILURE);
    String abi = root.text("abi");
    if (!abi.equals(ABI)) {
      throw root.fail("abi", "unsupported abi '" + abi + "'; this gateway runs " + ABI);
    }
    String name = root.text("name");
    if (!NAME.matcher(name).matches()) {
      throw root.fail(
          "name", "'" + name + "' is not a module name (letters, digits, '.', '_', '-'; ≤ 64)");
    }
    String version = root.text("version");
    int stateVersion = (int) root.optionalInteger("state_version", 0, 0, Integer.MAX_VALUE);
    List<Integer> acceptsState = new ArrayList<>();
    for (Members.Item item : root.optionalArray("accepts_state")) {
      int accepted = (int) Members.integer(item.node(), item.path(), FAILURE, 0, Integer.MAX_VALUE);
      if (acceptsState.contains(accepted)) {
        throw Members.fail(item.node(), item.path(), FAILURE, "state version listed twice");
      }
      acceptsState.add(accepted);
    }
    Members moduleMembers = root.object("module");
    String sha256 = moduleMembers.text("sha256");
    if (!SHA256.matcher(sha256).matches()) {
      throw moduleMembers.fail("sha256", "must be 64 lowercase hex digits");
    }
    moduleMembers.done();
    int tickMs = (int) root.integer("tick_ms", 1, 3_600_000);
    Members limitsMembers = root.object("limits");
    Limits limits =
        new Limits(
            (int) limitsMembers.integer("memory_pages", 1, 65_536),
            limitsMembers.integer("tick_budget_us", 1, 60_000_000));
    limitsMembers.done();
    List<Point> points = new ArrayList<>();
    Set<String> pointNames = new HashSet<>();
    for (Members.Item item : root.array("points")) {
      Point point = point(item.members(FAILURE));
      if (!pointNames.add(point.name())) {
        throw Members.fail(
            item.node(), item.path(), FAILURE, "point name '" + point.name() + "' used twice");
      }
      points.add(point);
    }
    boolean selfTest = root.optionalBool("self_test", false);
    int shadowTicks = (int) root.optionalInteger("shadow_ticks", 0, 0, 1_000_000);
    int saveEveryTicks = (int) root.optionalInteger("save_every_ticks", 100, 1, 1_000_000);
    root.done();
    return new Manifest(
        abi,
        name,
        version,
        stateVersion,
        acceptsState,
        new Module(sha256),
        tickMs,
        limits,
        points,
        selfTest,
        shadowTicks,
        saveEveryTicks);
  }

  private static Point point(Members members) {
    String name = members.text("name");
    if (!POINT_NAME.matcher(name).matches()) {
      throw members.fail(
          "name",
          "'" + name + "' is not a point name (a letter or '_', then letters, digits, '_')");
    }
    Direction dir = members.choice("dir", Direction.values(), Direction::wire);
    String device = members.text("device");
    boolean hasModbus = members.has("modbus");
    boolean hasCoap = members.has("coap");
    if (hasModbus == hasCoap) {
      throw members.fail("a point needs exactly one of 'modbus' and 'coap'");
    }
    Point point =
        hasModbus
            ? new Point.Modbus(name, dir, device, modbus(members.object("modbus"), dir))
            : new Point.Coap(name, dir, device, coap(members.object("coap"), dir));
    members.done();
    return point;
  }

  private static ModbusPoint modbus(Members members, Direction dir) {
    ModbusTable table = members.choice("table", ModbusTable.values(), ModbusTable::wire);
    if (dir == Direction.OUT && !table.writable()) {
      throw members.fail("table", "an output cannot write the read-only table " + table.wire());
    }
    int address = (int) members.integer("address", 0, 65_535);
    ValueType type =
        members
            .optionalChoice("type", ValueType.values(), ValueType::wire)
            .orElse(table.bits() ? ValueType.BOOL : ValueType.UINT16);
    if (table.bits() != (type == ValueType.BOOL)) {
      throw members.fail(
          "type",
          table.bits()
              ? "a " + table.wire() + " holds a bool, not " + type.wire()
              : "a " + table.wire() + " holds a number; bool is for coils and discrete inputs");
    }
    if (address + type.width() - 1 > 65_535) {
      throw members.fail("address", "a " + type.wire() + " at " + address + " runs past 65535");
    }
    Optional<BigDecimal> scale = members.optionalDecimal("scale");
    if (scale.isPresent() && type == ValueType.BOOL) {
      throw members.fail("scale", "a bool point has no scale");
    }
    if (scale.isPresent() && scale.get().signum() == 0) {
      throw members.fail("scale", "scale must not be 0");
    }
    Optional<BigDecimal> offset = members.optionalDecimal("offset");
    if (offset.isPresent() && type == ValueType.BOOL) {
      throw members.fail("offset", "a bool point has no offset");
    }
    Optional<WordOrder> wordOrder =
        members.optionalChoice("word_order", WordOrder.values(), WordOrder::wire);
    if (wordOrder.isPresent() && type.width() != 2) {
      throw members.fail(
          "word_order", "word_order is for 32-bit types; a " + type.wire() + " has one register");
    }
    members.done();
    return new ModbusPoint(
        table,
        address,
        type,
        scale.orElse(BigDecimal.ONE),
        offset.orElse(BigDecimal.ZERO),
        wordOrder.orElse(WordOrder.BIG));
  }

  private static CoapPoint coap(Members members, Direction dir) {
    String path = members.text("path");
    if (!path.startsWith("/")) {
      throw members.fail("path", "a CoAP path starts with '/'");
    }
    // reads default to GET and writes to PUT, the usual CoAP verbs for reading and setting a value
    CoapMethod method =
        members
            .optionalChoice("method", CoapMethod.values(), CoapMethod::wire)
            .orElse(dir == Direction.IN ? CoapMethod.GET : CoapMethod.PUT);
    if ((dir == Direction.IN) != (method == CoapMethod.GET)) {
      throw members.fail(
          "method",
          dir == Direction.IN
              ? "an input is read with GET, not " + method
              : "an output is written with PUT or POST, not GET");
    }
    members.done();
    return new CoapPoint(path, method);
  }
}
