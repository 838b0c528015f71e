package dev.graft.demo;

import dev.graft.bundle.Digests;
import dev.graft.bundle.director.Grants;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.DelegatedRole;
import dev.graft.bundle.metadata.Delegations;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.transport.MqttConnection;
import dev.graft.transport.PublishListener;
import dev.graft.transport.PublishSet;
import dev.graft.transport.Publisher;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rollout service's director for one gateway, as {@code design/trust.md} describes it: a
 * composite-keyed root, online targets/snapshot/timestamp keys whose signed objects name the
 * gateway, and a delegated {@code grants} role signed with the operator's site key that lists the
 * gateway's grant. Each {@link #assign} signs a new version naming the one bundle the gateway
 * should run (same length and hashes as the image repository's target), and publishes it to the
 * broker's {@code graft/v1/director/…} topics. The rollout service that will own this comes later;
 * the metadata is exactly what the gateway's verification needs today.
 */
final class Director {
  static final String GRANTS_ROLE = Grants.ROLE;

  private final String gatewayId;
  private final Map<RoleType, Signer> keys = new EnumMap<>(RoleType.class);
  private final Signer siteKey = SoftwareKey.generate(KeyType.MLDSA65_ED25519);

  /**
   * How long every director file is valid. The gateway is configured with it as the longest
   * timestamp lifetime: its time floor learns "expiry − lifetime" from each verified timestamp.
   */
  static final Duration LIFETIME = Duration.ofDays(30);

  private final Instant expires = Instant.now().plus(LIFETIME);
  private final byte[] root;
  private long version;

  /** One signed director state: every file, by role, ready to publish. */
  @SuppressWarnings("ArrayRecordComponent") // private to the demo, never compared
  record Published(
      long version, byte[] targets, byte[] grants, byte[] snapshot, byte[] timestamp) {}

  Director(String gatewayId) {
    this.gatewayId = gatewayId;
    for (RoleType role : RoleType.values()) {
      keys.put(role, SoftwareKey.generate(KeyType.MLDSA65_ED25519));
    }
    Map<String, TufKey> keyMap = new LinkedHashMap<>();
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    keys.forEach((role, signer) -> {
      keyMap.put(signer.keyId(), signer.publicKey());
      roles.put(role, Role.of(List.of(signer.keyId()), 1));
    });
    this.root =
        sign(
            new Root(Signed.SPEC_VERSION, 1, expires, true, keyMap, roles, JsonObject.empty()),
            key(RoleType.ROOT));
  }

  /**
   * The site key's public key file: the third trust anchor a gateway is commissioned with, to which
   * it pins the {@code grants} role.
   */
  byte[] siteKeyAnchor() {
    return PublicKeyFile.encode(siteKey.publicKey());
  }

  /** The director's root version 1: the second trust anchor a gateway is commissioned with. */
  byte[] rootAnchor() {
    return root.clone();
  }

  String gatewayId() {
    return gatewayId;
  }

  /**
   * Signs and publishes a new director version for the gateway: {@code bundle} (the image
   * repository's target, copied with its length and hashes) and the grant's hashes under {@code
   * grants/<gateway>.yaml}, signed by the site key.
   */
  Published assignAndPublish(
      MqttConnection connection, TargetFile bundle, byte[] grant, String rollout) {
    Published published = sign(gatewayId, bundle, grant, rollout, version + 1, siteKey);
    version = published.version();
    publish(connection, published);
    return published;
  }

  /**
   * Correctly signed director metadata addressed to {@code otherGateway}, for showing that a
   * gateway refuses metadata meant for another one (the replay the {@code gateway} field exists to
   * stop).
   */
  Published signedFor(String otherGateway, TargetFile bundle, byte[] grant) {
    return sign(otherGateway, bundle, grant, "replayed", version + 1, siteKey);
  }

  /**
   * Director metadata for this gateway, correctly signed by the director, whose {@code grants} role
   * is delegated to {@code otherSiteKey} and signed with it instead of the site key the gateway was
   * commissioned with: what a compromised director would publish to hand out its own grant. Not
   * published, and the director's version does not move.
   */
  Published signedWithOtherSiteKey(TargetFile bundle, byte[] grant, Signer otherSiteKey) {
    return sign(gatewayId, bundle, grant, "other-site-key", version + 1, otherSiteKey);
  }

  private Published sign(
      String gateway,
      TargetFile bundle,
      byte[] grant,
      String rollout,
      long newVersion,
      Signer grantsKey) {
    JsonObject addressed = JsonObject.builder().put("gateway", gateway).build();
    String grantPath = grantPath(gatewayId);
    Map<String, TargetFile> grantTargets = new LinkedHashMap<>();
    grantTargets.put(
        grantPath, TargetFile.of(grantPath, grant.length, hashes(grant), Optional.empty()));
    byte[] grantsBytes =
        sign(
            new Targets(
                Signed.SPEC_VERSION,
                newVersion,
                expires,
                grantTargets,
                Optional.empty(),
                JsonObject.empty()),
            grantsKey);

    JsonObject rolloutCustom =
        JsonObject.builder()
            .put("graft", JsonObject.builder().put("rollout", rollout).put("wave", 1).build())
            .build();
    Map<String, TargetFile> targets = new LinkedHashMap<>();
    targets.put(
        bundle.path(),
        TargetFile.of(bundle.path(), bundle.length(), bundle.hashes(), Optional.of(rolloutCustom)));
    DelegatedRole grantsRole =
        new DelegatedRole(
            GRANTS_ROLE,
            List.of(grantsKey.keyId()),
            1,
            true,
            Optional.of(List.of(grantPath)),
            Optional.empty(),
            JsonObject.empty());
    Delegations delegations =
        new Delegations(
            Map.of(grantsKey.keyId(), grantsKey.publicKey()),
            List.of(grantsRole),
            JsonObject.empty());
    byte[] targetsBytes =
        sign(
            new Targets(
                Signed.SPEC_VERSION,
                newVersion,
                expires,
                targets,
                Optional.of(delegations),
                addressed),
            key(RoleType.TARGETS));

    Map<String, MetaFile> meta = new LinkedHashMap<>();
    meta.put("targets.json", MetaFile.of(newVersion));
    meta.put(GRANTS_ROLE + ".json", MetaFile.of(newVersion));
    byte[] snapshotBytes =
        sign(
            new Snapshot(Signed.SPEC_VERSION, newVersion, expires, meta, addressed),
            key(RoleType.SNAPSHOT));
    MetaFile snapshotMeta =
        new MetaFile(
            newVersion,
            OptionalLong.of(snapshotBytes.length),
            Map.of("sha256", hashes(snapshotBytes).get("sha256")),
            JsonObject.empty());
    byte[] timestampBytes =
        sign(
            new Timestamp(Signed.SPEC_VERSION, newVersion, expires, snapshotMeta, addressed),
            key(RoleType.TIMESTAMP));
    return new Published(newVersion, targetsBytes, grantsBytes, snapshotBytes, timestampBytes);
  }

  /**
   * Publishes one director state with transport's {@link Publisher#publishDirector}: root chain and
   * hint, then targets and the grants role, then snapshot, the timestamp last.
   */
  void publish(MqttConnection connection, Published published) {
    OptionalLong v = OptionalLong.of(published.version());
    new Publisher(connection, Optional.empty())
        .publishDirector(
            gatewayId,
            List.of(
                new PublishSet.MetadataFile("root", OptionalLong.of(1), root),
                new PublishSet.MetadataFile("targets", v, published.targets()),
                new PublishSet.MetadataFile(GRANTS_ROLE, v, published.grants()),
                new PublishSet.MetadataFile("snapshot", v, published.snapshot()),
                new PublishSet.MetadataFile(
                    "timestamp", OptionalLong.empty(), published.timestamp())),
            PublishListener.NONE);
  }

  private Signer key(RoleType role) {
    return Objects.requireNonNull(keys.get(role), role.typeName());
  }

  /** The director target path of a gateway's grant. */
  static String grantPath(String gatewayId) {
    return Grants.path(gatewayId);
  }

  private static byte[] sign(Signed signed, Signer signer) {
    return SignedMetadata.sign(signed, List.of(signer)).toBytes();
  }

  static Map<String, String> hashes(byte[] bytes) {
    Map<String, String> hashes = new LinkedHashMap<>();
    hashes.put("sha256", digest("SHA-256", bytes));
    hashes.put("sha512", digest("SHA-512", bytes));
    return hashes;
  }

  private static String digest(String algorithm, byte[] bytes) {
    return Digests.hex(algorithm, bytes);
  }
}
