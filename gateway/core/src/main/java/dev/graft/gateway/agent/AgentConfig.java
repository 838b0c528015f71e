package dev.graft.gateway.agent;

import static java.util.Objects.requireNonNull;

import dev.graft.bundle.keys.Signer;
import dev.graft.gateway.field.Credentials;
import dev.graft.gateway.field.FieldOptions;
import dev.graft.transport.FetchOptions;
import dev.graft.transport.MqttOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How one gateway's update agent is set up.
 *
 * @param gatewayId the id the director signs into {@code signed.gateway} and the broker ACLs use
 * @param hardwareId the hardware the gateway is; a release names the hardware it is for
 * @param dataDirectory where downloads, modules and the trusted metadata live (and the journal,
 *     with {@link Storage#H2_FILE})
 * @param storage where the journal lives
 * @param anchors the two roots and the site key(s)
 * @param identityKey the gateway identity key (ECDSA P-256) that signs its reports; a key file or a
 *     PKCS#11 token key (a TPM through tpm2-pkcs11 included)
 * @param broker the broker connection; the agent adds its client id and Last Will
 * @param grant the site grant's bytes, as commissioned; the director's {@code grants} role must
 *     list exactly these bytes
 * @param credentials the field credentials the grant names (DTLS keys, PSKs)
 * @param field field I/O timing
 * @param schedule how often to look for updates and how to back off
 * @param maxTimestampLifetime the longest lifetime the repositories give a timestamp; the time
 *     floor learns "expiry − this" from every verified timestamp
 * @param clock the wall clock (a test may scale it); the time floor keeps it from going back
 */
@SuppressWarnings("ArrayRecordComponent") // the grant is copied in and out; never compared
public record AgentConfig(
    String gatewayId,
    String hardwareId,
    Path dataDirectory,
    Storage storage,
    Anchors anchors,
    Signer identityKey,
    MqttOptions broker,
    byte[] grant,
    Credentials credentials,
    FieldOptions field,
    Schedule schedule,
    Duration maxTimestampLifetime,
    Clock clock) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** Where the journal lives. */
  public enum Storage {
    /** An H2 database file in the data directory: survives power loss. */
    H2_FILE,
    /** In memory: for simulated fleets of many agents in one JVM; gone when the process ends. */
    IN_MEMORY
  }

  /**
   * When the agent looks for updates.
   *
   * @param refreshEvery the regular check, jittered by ±{@code jitter}
   * @param jitter the fraction (0–0.5) by which each delay is varied, so a fleet does not check in
   *     step
   * @param maxBackoff the longest delay between checks while the broker cannot be reached (the
   *     delay doubles from {@code refreshEvery} up to this)
   * @param fetch deadlines and flow control for metadata and chunks
   * @param healthEvery how often a {@code health} report is sent
   * @param followTopics whether a change of the root hints or of the director's metadata for this
   *     gateway starts a check at once (after a random delay of up to {@code topicDelay}, so a
   *     fleet does not ask the broker all in the same instant); off, only the schedule and {@link
   *     UpdateAgent#checkNow()} check
   * @param topicDelay the longest such delay
   * @param checkAtStart whether the agent checks for updates as soon as it has started; off, the
   *     first check is at {@code refreshEvery} (or {@link UpdateAgent#checkNow()})
   */
  public record Schedule(
      Duration refreshEvery,
      double jitter,
      Duration maxBackoff,
      FetchOptions fetch,
      Duration healthEvery,
      boolean followTopics,
      Duration topicDelay,
      boolean checkAtStart) {
    public Schedule {
      requireNonNull(fetch, "fetch");
      positive(refreshEvery, "refreshEvery");
      positive(maxBackoff, "maxBackoff");
      positive(healthEvery, "healthEvery");
      requireNonNull(topicDelay, "topicDelay");
      if (topicDelay.isNegative()) {
        throw new IllegalArgumentException("topicDelay must not be negative, got " + topicDelay);
      }
      if (!(jitter >= 0 && jitter <= 0.5)) {
        throw new IllegalArgumentException("jitter must be between 0 and 0.5, got " + jitter);
      }
      if (maxBackoff.compareTo(refreshEvery) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff ("
                + maxBackoff
                + ") must not be below refreshEvery ("
                + refreshEvery
                + ")");
      }
    }

    /**
     * Every 5 minutes ± 20 %, backing off up to an hour, health every 30 s, and at once (within 2
     * s) when the director's metadata changes.
     */
    public static Schedule defaults() {
      return new Schedule(
          Duration.ofMinutes(5),
          0.2,
          Duration.ofHours(1),
          FetchOptions.DEFAULT,
          Duration.ofSeconds(30),
          true,
          Duration.ofSeconds(2),
          true);
    }

    public Schedule withRefreshEvery(Duration every) {
      Duration backoff = maxBackoff.compareTo(every) < 0 ? every : maxBackoff;
      return new Schedule(
          every, jitter, backoff, fetch, healthEvery, followTopics, topicDelay, checkAtStart);
    }

    public Schedule withMaxBackoff(Duration backoff) {
      return new Schedule(
          refreshEvery,
          jitter,
          backoff,
          fetch,
          healthEvery,
          followTopics,
          topicDelay,
          checkAtStart);
    }

    public Schedule withFetch(FetchOptions options) {
      return new Schedule(
          refreshEvery,
          jitter,
          maxBackoff,
          options,
          healthEvery,
          followTopics,
          topicDelay,
          checkAtStart);
    }

    public Schedule withHealthEvery(Duration every) {
      return new Schedule(
          refreshEvery, jitter, maxBackoff, fetch, every, followTopics, topicDelay, checkAtStart);
    }

    /**
     * Checks only when asked ({@link UpdateAgent#checkNow()}) and on the regular schedule, not at
     * start nor on a change of the watched topics: for tests and tools that decide when a check
     * happens.
     */
    public Schedule manual() {
      return new Schedule(
          refreshEvery, jitter, maxBackoff, fetch, healthEvery, false, topicDelay, false);
    }

    public Schedule withTopicDelay(Duration delay) {
      return new Schedule(
          refreshEvery, jitter, maxBackoff, fetch, healthEvery, followTopics, delay, checkAtStart);
    }
  }

  public AgentConfig {
    requireNonNull(dataDirectory, "dataDirectory");
    requireNonNull(storage, "storage");
    requireNonNull(anchors, "anchors");
    requireNonNull(identityKey, "identityKey");
    requireNonNull(broker, "broker");
    requireNonNull(credentials, "credentials");
    requireNonNull(field, "field");
    requireNonNull(schedule, "schedule");
    requireNonNull(clock, "clock");
    if (!ID.matcher(gatewayId).matches()) {
      throw new IllegalArgumentException(
          "gateway id '"
              + gatewayId
              + "' must be 1–128 letters, digits, '.', '_' or '-', starting with a letter or digit"
              + " (it is an MQTT topic level)");
    }
    if (!ID.matcher(hardwareId).matches()) {
      throw new IllegalArgumentException(
          "hardware id '" + hardwareId + "' must be 1–128 letters, digits, '.', '_' or '-'");
    }
    positive(maxTimestampLifetime, "maxTimestampLifetime");
    grant = grant.clone();
  }

  /**
   * A configuration with the defaults: H2 journal in {@code dataDirectory}, {@link
   * Schedule#defaults()}, {@link FieldOptions#defaults()}, a one-day timestamp lifetime, the system
   * clock.
   */
  public static AgentConfig of(
      String gatewayId,
      String hardwareId,
      Path dataDirectory,
      Anchors anchors,
      Signer identityKey,
      MqttOptions broker,
      byte[] grant,
      Credentials credentials) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        Storage.H2_FILE,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        FieldOptions.defaults(),
        Schedule.defaults(),
        Duration.ofDays(1),
        Clock.systemUTC());
  }

  @Override
  public byte[] grant() {
    return grant.clone();
  }

  public AgentConfig withStorage(Storage where) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        where,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        field,
        schedule,
        maxTimestampLifetime,
        clock);
  }

  public AgentConfig withSchedule(Schedule when) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        storage,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        field,
        when,
        maxTimestampLifetime,
        clock);
  }

  public AgentConfig withField(FieldOptions options) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        storage,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        options,
        schedule,
        maxTimestampLifetime,
        clock);
  }

  public AgentConfig withMaxTimestampLifetime(Duration lifetime) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        storage,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        field,
        schedule,
        lifetime,
        clock);
  }

  public AgentConfig withClock(Clock wallClock) {
    return new AgentConfig(
        gatewayId,
        hardwareId,
        dataDirectory,
        storage,
        anchors,
        identityKey,
        broker,
        grant,
        credentials,
        field,
        schedule,
        maxTimestampLifetime,
        wallClock);
  }

  private static void positive(Duration duration, String name) {
    requireNonNull(duration, name);
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + duration);
    }
  }
}
