package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.HybridRequiredException;
import dev.graft.bundle.ThresholdException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.CompositeMlDsa;
import dev.graft.bundle.keys.KeyType;
import dev.graft.bundle.keys.Signer;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.metadata.MetaFile;
import dev.graft.bundle.metadata.Role;
import dev.graft.bundle.metadata.RoleType;
import dev.graft.bundle.metadata.Root;
import dev.graft.bundle.metadata.Signature;
import dev.graft.bundle.metadata.Signed;
import dev.graft.bundle.metadata.SignedMetadata;
import dev.graft.bundle.metadata.Snapshot;
import dev.graft.bundle.metadata.TargetFile;
import dev.graft.bundle.metadata.Targets;
import dev.graft.bundle.metadata.Timestamp;
import dev.graft.bundle.tuf.InMemoryRepository;
import dev.graft.bundle.tuf.InMemoryTrustedStore;
import dev.graft.bundle.tuf.Thresholds;
import dev.graft.bundle.tuf.TufClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The "done when": TUF metadata signed by a composite key held on SoftHSM2 verifies with
 * the trust core — the threshold check alone, and a whole client refresh against a repository whose
 * root and targets keys live on the token, with hybrid signatures required.
 */
class TokenCompositeTufTest {
  @RegisterExtension static final SoftHsmToken TOKEN = new SoftHsmToken("graft-tuf-test");

  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
  private static final Instant EXPIRES = NOW.plusSeconds(30L * 24 * 3600);
  private static final String BUNDLE = "boiler-control-1.4.0.graft";
  private static final byte[] BUNDLE_BYTES =
      "pretend this is a signed bundle".getBytes(StandardCharsets.UTF_8);

  private Pkcs11Module module;
  private TokenSession session;

  @BeforeEach
  void openToken() {
    module = Pkcs11Module.open(TOKEN.modulePath());
    session = TOKEN.openLoggedIn(module);
  }

  @AfterEach
  void closeToken() {
    module.close();
  }

  @Test
  void thresholds_targetsSignedOnTheToken_pass() {
    TokenCompositeSigner key = compositeOnToken("targets-1");
    SignedMetadata<Targets> metadata = sign(targets(1), key);

    SignedMetadata<Targets> parsed = reparse(metadata);

    assertThat(thresholds(parsed, key)).hasSize(1);
  }

  @Test
  void thresholds_eitherHalfCorrupted_fail() {
    TokenCompositeSigner key = compositeOnToken("targets-2");
    Targets targets = targets(1);
    byte[] signature = key.sign(CanonicalJson.encode(targets.toJson()));

    for (int at : new int[] {10, CompositeMlDsa.MLDSA_SIGNATURE_BYTES + 10}) {
      byte[] corrupted = signature.clone();
      corrupted[at] ^= 0x01;
      SignedMetadata<Targets> metadata =
          reparse(SignedMetadata.of(targets, List.of(Signature.of(key.keyId(), corrupted))));

      assertThatThrownBy(() -> thresholds(metadata, key))
          .as("signature corrupted at byte %d", at)
          .isInstanceOf(ThresholdException.class)
          .hasMessageContaining("valid signatures from 0 distinct key(s)");
    }
  }

  @Test
  void refresh_repositoryWithRootAndTargetsKeysOnTheToken_trustsTheTarget() {
    Signer rootKey = compositeOnToken("root-1");
    Signer targetsKey = compositeOnToken("targets-3");
    Signer snapshotKey = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    Signer timestampKey = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    InMemoryRepository repository = new InMemoryRepository();
    InMemoryTrustedStore store = new InMemoryTrustedStore();

    Root root = root(rootKey, targetsKey, snapshotKey, timestampKey);
    byte[] rootBytes = file(root, rootKey);
    repository.putMetadata("1.root.json", rootBytes);
    repository.putMetadata("root.json", rootBytes);
    byte[] targetsBytes = file(targets(1), targetsKey);
    repository.putMetadata("1.targets.json", targetsBytes);
    byte[] snapshotBytes =
        file(
            new Snapshot(
                Signed.SPEC_VERSION,
                1,
                EXPIRES,
                Map.of("targets.json", MetaFile.of(1)),
                JsonObject.empty()),
            snapshotKey);
    repository.putMetadata("1.snapshot.json", snapshotBytes);
    repository.putMetadata(
        "timestamp.json",
        file(
            new Timestamp(Signed.SPEC_VERSION, 1, EXPIRES, MetaFile.of(1), JsonObject.empty()),
            timestampKey));
    repository.putTarget(sha256(BUNDLE_BYTES) + "." + BUNDLE, BUNDLE_BYTES);

    TufClient.initialize(store, rootBytes, true);
    TufClient client =
        TufClient.builder()
            .repository(repository)
            .store(store)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .requireHybrid(true)
            .build();
    client.refresh();

    TargetFile target = client.requireTarget(BUNDLE);
    assertThat(client.downloadTarget(target)).isEqualTo(BUNDLE_BYTES);
    assertThat(client.root().keys()).containsKeys(rootKey.keyId(), targetsKey.keyId());
    assertThat(client.topLevelTargets().version()).isEqualTo(1);
  }

  @Test
  void initialize_requireHybrid_refusesAnEcdsaTokenKeyForRoot() {
    // The control for the refresh above: hybrid is enforced, so a classical token key for root,
    // even a good one, is refused; the composite token key is what makes the refresh pass.
    Signer ecdsaRoot = TokenEcdsaSigner.of(session, session.generateEcdsaP256KeyPair("root-ec"));
    Signer other = SoftwareKey.generate(KeyType.MLDSA65_ED25519);
    byte[] rootBytes = file(root(ecdsaRoot, other, other, other), ecdsaRoot);

    assertThatThrownBy(() -> TufClient.initialize(new InMemoryTrustedStore(), rootBytes, true))
        .isInstanceOf(HybridRequiredException.class);
  }

  private TokenCompositeSigner compositeOnToken(String label) {
    return TokenCompositeSigner.of(session, TokenCompositeKey.generate(session, label));
  }

  private static Targets targets(long version) {
    Map<String, TargetFile> listed = new LinkedHashMap<>();
    listed.put(
        BUNDLE,
        TargetFile.of(
            BUNDLE, BUNDLE_BYTES.length, Map.of("sha256", sha256(BUNDLE_BYTES)), Optional.empty()));
    return new Targets(
        Signed.SPEC_VERSION, version, EXPIRES, listed, Optional.empty(), JsonObject.empty());
  }

  private static Root root(Signer root, Signer targets, Signer snapshot, Signer timestamp) {
    Map<String, TufKey> keys = new LinkedHashMap<>();
    Map<RoleType, Role> roles = new EnumMap<>(RoleType.class);
    for (Map.Entry<RoleType, Signer> role :
        Map.of(
                RoleType.ROOT, root,
                RoleType.TARGETS, targets,
                RoleType.SNAPSHOT, snapshot,
                RoleType.TIMESTAMP, timestamp)
            .entrySet()) {
      keys.put(role.getValue().keyId(), role.getValue().publicKey());
      roles.put(role.getKey(), Role.of(List.of(role.getValue().keyId()), 1));
    }
    return new Root(
        Signed.SPEC_VERSION,
        1,
        NOW.plusSeconds(365L * 24 * 3600),
        true,
        keys,
        roles,
        JsonObject.empty());
  }

  private static <T extends Signed> SignedMetadata<T> sign(T signed, Signer signer) {
    return SignedMetadata.sign(signed, List.of(signer));
  }

  private static byte[] file(Signed signed, Signer signer) {
    return sign(signed, signer).toBytes();
  }

  /** Through bytes and back, as a gateway receives the file. */
  private static SignedMetadata<Targets> reparse(SignedMetadata<Targets> metadata) {
    return SignedMetadata.parseTargets(
        PrettyJson.encode(metadata.toJson()), JsonParser.withDefaults());
  }

  private static Set<String> thresholds(SignedMetadata<Targets> metadata, Signer key) {
    return Thresholds.check(
        metadata, "targets", Map.of(key.keyId(), key.publicKey()), List.of(key.keyId()), 1);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
