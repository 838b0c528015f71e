package dev.graft.gateway.agent.journal;

import static java.util.Objects.requireNonNull;

import dev.graft.bundle.AuditChainException;
import dev.graft.bundle.JsonFormatException;
import dev.graft.bundle.audit.AuditChain;
import dev.graft.bundle.audit.AuditKind;
import dev.graft.bundle.audit.AuditRecord;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The journal in an H2 database file. Each transition is one JDBC transaction on the journal's
 * single connection, written through to the file on commit and then synced, so that a transition
 * that returned survives {@code kill -9} of the JVM (tested); the sync is there for a power cut,
 * which is not tested (see {@code docs/journal.md}). One journal object per file; its methods hold
 * its monitor.
 */
public final class H2Journal implements Journal {

  /**
   * {@code WRITE_DELAY=0}: the MVStore writes each commit to the file at once instead of in the
   * background every 500 ms (the default, which loses the last half second of commits on {@code
   * kill -9}). The file lock is an OS lock, released when the process dies, so a killed agent's
   * journal reopens.
   */
  static final String URL_SETTINGS = ";WRITE_DELAY=0";

  /**
   * H2's {@code retry:} file system: a thread interrupted in the middle of a journal write (the
   * agent being stopped, a caller's timeout) would otherwise close the file channel under H2
   * ({@code ClosedByInterruptException}) and take the whole database down with it; this one reopens
   * the channel and retries the write.
   */
  static final String FILE_SYSTEM = "retry:";

  /** Migration scripts in version order; the version is the script's position plus one. */
  private static final List<String> MIGRATIONS = List.of("V1__journal.sql", "V2__audit.sql");

  private static final JsonParser DETAIL_PARSER =
      JsonParser.withCaps(AuditRecord.MAX_LINE_BYTES, 8);

  private final Connection connection; // guarded by "this"
  private final Path file;

  private H2Journal(Connection connection, Path file) {
    this.connection = connection;
    this.file = file;
  }

  /**
   * Opens (creating if needed) the journal whose database file is {@code file} without the {@code
   * .mv.db} suffix, brings its schema up to date and verifies the whole audit chain.
   *
   * @throws JournalException when the file cannot be opened, or "journal integrity check failed:
   *     audit record N …" when the stored audit chain is broken; the journal is not opened then
   */
  public static H2Journal open(Path file) {
    requireNonNull(file, "file");
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:" + FILE_SYSTEM + file.toAbsolutePath() + URL_SETTINGS);
    try {
      Connection connection = dataSource.getConnection();
      try {
        connection.setAutoCommit(false);
        connection.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
        migrate(connection);
        verifyAudit(connection, file);
        return new H2Journal(connection, file);
      } catch (SQLException | RuntimeException e) {
        connection.close();
        throw e;
      }
    } catch (SQLException e) {
      throw new JournalException(
          "cannot open the journal " + file + ": " + e.getMessage() + " — check the path", e);
    }
  }

  // ---- schema

  /**
   * Applies the scripts newer than the recorded schema version, each followed by its version row.
   * H2 commits DDL implicitly, so a script is not one transaction; its statements are idempotent
   * instead, and a script cut short by a crash is run again in full at the next open.
   */
  private static void migrate(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS schema_version (version INT PRIMARY KEY, script"
              + " VARCHAR(255) NOT NULL, applied_at TIMESTAMP WITH TIME ZONE NOT NULL)");
      connection.commit();
      int current;
      try (ResultSet rs =
          statement.executeQuery("SELECT COALESCE(MAX(version), 0) FROM schema_version")) {
        rs.next();
        current = rs.getInt(1);
      }
      if (current > MIGRATIONS.size()) {
        throw new JournalException(
            "journal schema version "
                + current
                + " is newer than this agent knows ("
                + MIGRATIONS.size()
                + ") — refusing to open it with an older agent");
      }
      for (int version = current + 1; version <= MIGRATIONS.size(); version++) {
        String script = MIGRATIONS.get(version - 1);
        for (String sql : statements(script)) {
          statement.execute(sql);
        }
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO schema_version VALUES (?, ?, CURRENT_TIMESTAMP)")) {
          insert.setInt(1, version);
          insert.setString(2, script);
          insert.executeUpdate();
        }
        connection.commit();
      }
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  private static List<String> statements(String script) {
    String text;
    try (InputStream in = H2Journal.class.getResourceAsStream(script)) {
      if (in == null) {
        throw new JournalException("migration " + script + " is missing from the classpath");
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new JournalException("cannot read migration " + script, e);
    }
    List<String> result = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (line.strip().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.strip().endsWith(";")) {
        String sql = current.toString().strip();
        result.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new JournalException("migration " + script + " ends without a ';'");
    }
    return result;
  }

  /**
   * Reads and verifies every audit record. The log grows by a handful of records per update, so
   * reading it whole at each start is cheap for years; a gateway that logs far more would verify
   * from a checkpoint (a verified seq and hash kept beside the table) instead.
   */
  private static void verifyAudit(Connection connection, Path file) throws SQLException {
    try {
      AuditChain.verify(selectAudit(connection, 1, Integer.MAX_VALUE));
      connection.commit();
    } catch (AuditChainException e) {
      connection.rollback();
      throw integrityFailure(file, String.valueOf(e.getMessage()));
    }
  }

  private static JournalException integrityFailure(Path file, String what) {
    return new JournalException(
        "journal integrity check failed: "
            + what
            + ". The journal "
            + file
            + " was changed outside the agent; keep it for investigation and do not run the"
            + " agent on it");
  }

  // ---- transactions

  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private synchronized <T> T read(Work<T> work) {
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new JournalException("cannot read the journal " + file + ": " + e.getMessage(), e);
    }
  }

  /** One transition: commit (written to the file by WRITE_DELAY=0), then fsync. */
  private synchronized <T> T transition(Work<T> work) {
    try {
      T result = work.run(connection);
      connection.commit();
      try (Statement statement = connection.createStatement()) {
        statement.execute("CHECKPOINT SYNC");
      }
      return result;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new JournalException("cannot write the journal " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      rollbackQuietly();
      throw e;
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException e) {
      // The transaction is lost with the connection either way; the caller gets the first error.
    }
  }

  private static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      return statement.executeUpdate();
    }
  }

  private static long queryLong(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = statement.executeQuery()) {
        if (!rs.next()) {
          throw new SQLException("no row for " + sql);
        }
        return rs.getLong(1);
      }
    }
  }

  // ---- update state

  @Override
  public Optional<UpdateState> update() {
    return read(c -> {
      try (Statement statement = c.createStatement();
          ResultSet rs = statement.executeQuery("SELECT state, target FROM update_state")) {
        return rs.next()
            ? Optional.of(
                new UpdateState(
                    PipelineState.valueOf(rs.getString(1)), requireNonNull(rs.getString(2))))
            : Optional.empty();
      }
    });
  }

  @Override
  public void recordUpdate(UpdateState state) {
    requireNonNull(state, "state");
    transition(c -> mergeUpdate(c, state));
  }

  private static int mergeUpdate(Connection c, UpdateState state) throws SQLException {
    return update(
        c,
        "MERGE INTO update_state (id, state, target) KEY (id) VALUES (1, ?, ?)",
        state.state().name(),
        state.target());
  }

  @Override
  public void clearUpdate() {
    transition(c -> update(c, "DELETE FROM update_state"));
  }

  // ---- modules

  @Override
  public Optional<ModuleRef> module(ModuleSlot slot) {
    requireNonNull(slot, "slot");
    return read(c -> selectModule(c, slot));
  }

  private static Optional<ModuleRef> selectModule(Connection c, ModuleSlot slot)
      throws SQLException {
    try (PreparedStatement statement =
        c.prepareStatement(
            "SELECT name, version, sha256, release_counter FROM module_slot WHERE slot = ?")) {
      statement.setString(1, slot.name());
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next()
            ? Optional.of(
                new ModuleRef(
                    requireNonNull(rs.getString(1)),
                    requireNonNull(rs.getString(2)),
                    requireNonNull(rs.getString(3)),
                    rs.getLong(4)))
            : Optional.empty();
      }
    }
  }

  @Override
  public void putModule(ModuleSlot slot, ModuleRef module) {
    requireNonNull(slot, "slot");
    requireNonNull(module, "module");
    transition(c ->
        update(
            c,
            "MERGE INTO module_slot (slot, name, version, sha256, release_counter) KEY (slot)"
                + " VALUES (?, ?, ?, ?, ?)",
            slot.name(),
            module.name(),
            module.version(),
            module.sha256(),
            module.releaseCounter()));
  }

  @Override
  public void clearModule(ModuleSlot slot) {
    requireNonNull(slot, "slot");
    transition(c -> update(c, "DELETE FROM module_slot WHERE slot = ?", slot.name()));
  }

  @Override
  public void commitStaged(String target) {
    UpdateState committed = new UpdateState(PipelineState.COMMIT, target);
    transition(c -> {
      ModuleRef staged =
          selectModule(c, ModuleSlot.STAGED)
              .orElseThrow(() ->
                  new JournalException(
                      "no staged module to commit for " + target + " — stage it first"));
      update(c, "DELETE FROM module_slot WHERE slot = 'PREVIOUS'");
      update(c, "UPDATE module_slot SET slot = 'PREVIOUS' WHERE slot = 'INSTALLED'");
      update(c, "UPDATE module_slot SET slot = 'INSTALLED' WHERE slot = 'STAGED'");
      mergeUpdate(c, committed);
      return raise(c, FloorKind.RELEASE, staged.releaseCounter());
    });
  }

  // ---- floors

  @Override
  public long releaseFloor() {
    return read(c -> floor(c, FloorKind.RELEASE));
  }

  @Override
  public void raiseReleaseFloor(long floor) {
    transition(c -> raise(c, FloorKind.RELEASE, floor));
  }

  @Override
  public Instant timeFloor() {
    return Instant.ofEpochMilli(read(c -> floor(c, FloorKind.TIME)));
  }

  @Override
  public void raiseTimeFloor(Instant floor) {
    long millis = requireNonNull(floor, "floor").toEpochMilli();
    transition(c -> raise(c, FloorKind.TIME, millis));
  }

  private static long floor(Connection c, FloorKind kind) throws SQLException {
    return queryLong(c, "SELECT floor FROM floor WHERE kind = ?", kind.name());
  }

  /** The one statement that moves a floor, and it can only move it up. */
  private static int raise(Connection c, FloorKind kind, long floor) throws SQLException {
    int raised =
        update(
            c,
            "UPDATE floor SET floor = ? WHERE kind = ? AND floor < ?",
            floor,
            kind.name(),
            floor);
    if (raised == 0) {
      long current = floor(c, kind);
      if (floor < current) {
        throw FloorLoweringException.of(kind, current, floor);
      }
    }
    return raised;
  }

  // ---- failed hashes

  @Override
  public void addFailedHash(String sha256) {
    ModuleRef.requireSha256(sha256);
    transition(c -> update(c, "MERGE INTO failed_hash (sha256) KEY (sha256) VALUES (?)", sha256));
  }

  @Override
  public boolean isFailedHash(String sha256) {
    ModuleRef.requireSha256(sha256);
    return read(c -> queryLong(c, "SELECT COUNT(*) FROM failed_hash WHERE sha256 = ?", sha256) > 0);
  }

  @Override
  public Set<String> failedHashes() {
    return read(c -> {
      Set<String> hashes = new HashSet<>();
      try (Statement statement = c.createStatement();
          ResultSet rs = statement.executeQuery("SELECT sha256 FROM failed_hash")) {
        while (rs.next()) {
          hashes.add(requireNonNull(rs.getString(1)));
        }
      }
      return Set.copyOf(hashes);
    });
  }

  @Override
  public int clearFailedHashes() {
    return transition(c -> update(c, "DELETE FROM failed_hash"));
  }

  // ---- report counter

  @Override
  public long nextCounter() {
    return transition(c -> {
      update(c, "UPDATE report_counter SET counter = counter + 1 WHERE id = 1");
      return queryLong(c, "SELECT counter FROM report_counter WHERE id = 1");
    });
  }

  // ---- audit log

  @Override
  public AuditRecord appendAudit(Instant time, AuditKind kind, JsonObject detail) {
    requireNonNull(time, "time");
    requireNonNull(kind, "kind");
    requireNonNull(detail, "detail");
    return rethrowIntegrity(() ->
        transition(c -> {
          AuditRecord next = AuditRecord.next(selectAuditHead(c), time, kind, detail);
          update(
              c,
              "INSERT INTO audit_record (seq, time_ms, kind, detail, prev, sha256)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              next.seq(),
              next.time().toEpochMilli(),
              next.kind().wireName(),
              CanonicalJson.encodeToString(next.detail()),
              next.prev(),
              next.sha256());
          return next;
        }));
  }

  @Override
  public List<AuditRecord> audit(long fromSeq, int max) {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative, was " + max);
    }
    return rethrowIntegrity(() -> read(c -> selectAudit(c, fromSeq, max)));
  }

  @Override
  public Optional<AuditRecord> auditHead() {
    return rethrowIntegrity(() -> read(H2Journal::selectAuditHead));
  }

  /** A row that no longer reads as a record was changed outside the agent since it opened. */
  private <T> T rethrowIntegrity(java.util.function.Supplier<T> work) {
    try {
      return work.get();
    } catch (AuditChainException e) {
      throw integrityFailure(file, String.valueOf(e.getMessage()));
    }
  }

  private static Optional<AuditRecord> selectAuditHead(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT seq, time_ms, kind, detail, prev, sha256 FROM audit_record"
                    + " ORDER BY seq DESC LIMIT 1")) {
      return rs.next() ? Optional.of(auditRow(rs)) : Optional.empty();
    }
  }

  private static List<AuditRecord> selectAudit(Connection c, long fromSeq, int max)
      throws SQLException {
    try (PreparedStatement statement =
        c.prepareStatement(
            "SELECT seq, time_ms, kind, detail, prev, sha256 FROM audit_record WHERE seq >= ?"
                + " ORDER BY seq LIMIT ?")) {
      statement.setLong(1, fromSeq);
      statement.setInt(2, max);
      List<AuditRecord> records = new ArrayList<>();
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          records.add(auditRow(rs));
        }
      }
      return List.copyOf(records);
    }
  }

  /**
   * One row as a record; a row that is not one (unknown kind, detail that is not a JSON object) is
   * refused as malformed, naming its seq.
   */
  private static AuditRecord auditRow(ResultSet rs) throws SQLException {
    long seq = rs.getLong(1);
    try {
      String kindName = requireNonNull(rs.getString(3));
      AuditKind kind =
          AuditKind.fromWireName(kindName)
              .orElseThrow(() -> new JsonFormatException("kind '" + kindName + "' is not known"));
      JsonObject detail =
          DETAIL_PARSER.parseObject(
              requireNonNull(rs.getString(4)).getBytes(StandardCharsets.UTF_8));
      return new AuditRecord(
          seq,
          Instant.ofEpochMilli(rs.getLong(2)),
          kind,
          detail,
          requireNonNull(rs.getString(5)),
          requireNonNull(rs.getString(6)));
    } catch (JsonFormatException | IllegalArgumentException e) {
      throw AuditChainException.malformedRecord(seq, String.valueOf(e.getMessage()));
    }
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw new JournalException("cannot close the journal " + file + ": " + e.getMessage(), e);
    }
  }
}
