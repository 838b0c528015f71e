package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.SoftwareKey;
import dev.graft.bundle.keys.TufKey;
import dev.graft.bundle.tuf.TufClient;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft key generate --out}: key files of every type, written with the right permissions,
 * never over an existing file, and usable by {@code graft repo init} and {@code graft sign}.
 */
class KeyFilesTest {
  private static final String PASS = "key holder passphrase";

  @TempDir Path temp;

  private static GraftRun holder() {
    return graft().env("PASS", PASS).env("GRAFT_ONLINE_PASSPHRASE", PASS);
  }

  private GraftRun.Result generate(String type, Path out) {
    return holder()
        .run(
            "key",
            "generate",
            "--type",
            type,
            "--out",
            out.toString(),
            "--passphrase=env:PASS",
            "--kdf-iterations=10000");
  }

  private TufKey publicKey(Path file) throws Exception {
    return PublicKeyFile.decode(Files.readAllBytes(file), file.toString());
  }

  @Test
  void generate_compositeByDefault_writesEncryptedKeyAndPublicKeyFile() throws Exception {
    Path out = temp.resolve("keys/alice.pem");
    GraftRun.Result run =
        holder()
            .run(
                "key",
                "generate",
                "--out",
                out.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    TufKey key = publicKey(temp.resolve("keys/alice.pub.json"));
    assertThat(key.keyType()).isEqualTo("mldsa65-ed25519");
    assertThat(run.out())
        .contains("Generated composite key " + key.keyId())
        .contains(temp.resolve("keys/alice.pub.json").toString())
        .doesNotContain(PASS);
    assertThat(Files.getPosixFilePermissions(out).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    SoftwareKey decrypted =
        PrivateKeyFile.decrypt(Files.readAllBytes(out), PASS.toCharArray(), "alice.pem", key);
    assertThat(decrypted.keyId()).isEqualTo(key.keyId());
    try (var files = Files.list(temp.resolve("keys"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("alice.pem", "alice.pub.json");
    }
  }

  @Test
  void generate_json_namesKeyIdAndFiles() throws Exception {
    Path out = temp.resolve("tls");
    GraftRun.Result run =
        holder()
            .run(
                "key",
                "generate",
                "--type=ecdsa-p256",
                "--out",
                out.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000",
                "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    var json = JsonParser.withDefaults().parseObject(run.out().getBytes(StandardCharsets.UTF_8));
    TufKey key = publicKey(temp.resolve("tls.pub.json"));
    assertThat(json.string("key_id")).isEqualTo(key.keyId());
    assertThat(json.string("type")).isEqualTo("ecdsa-p256");
    assertThat(json.string("private_key")).isEqualTo(temp.resolve("tls.pem").toString());
    assertThat(json.string("public_key_file")).isEqualTo(temp.resolve("tls.pub.json").toString());
  }

  @Test
  void generate_existingFile_refusedAndNothingChanged() throws Exception {
    Path out = temp.resolve("alice.pem");
    Files.writeString(temp.resolve("alice.pub.json"), "precious");

    GraftRun.Result run = generate("ed25519", out);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
    assertThat(run.err()).contains("alice.pub.json already exists").contains("never overwrites");
    assertThat(out).doesNotExist();
    assertThat(Files.readString(temp.resolve("alice.pub.json"))).isEqualTo("precious");
  }

  @Test
  void generate_secondTimeSameName_refusedFirstKeyKept() throws Exception {
    Path out = temp.resolve("bob.pem");
    assertThat(generate("composite", out).exitCode()).isZero();
    byte[] first = Files.readAllBytes(out);

    GraftRun.Result again = generate("composite", out);

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("bob.pem already exists");
    assertThat(Files.readAllBytes(out)).isEqualTo(first);
  }

  @Test
  void generate_promptedTwiceDifferently_refusedAndNothingWritten() {
    Path out = temp.resolve("carol.pem");
    GraftRun.Result run =
        graft()
            .prompting("one passphrase", "another passphrase")
            .run("key", "generate", "--out", out.toString(), "--kdf-iterations=10000");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("the two passphrases typed differ");
    assertThat(out).doesNotExist();
    assertThat(temp.resolve("carol.pub.json")).doesNotExist();
  }

  @Test
  void generate_promptedTwiceTheSame_keyDecryptsWithIt() throws Exception {
    Path out = temp.resolve("dave.pem");
    GraftRun.Result run =
        graft()
            .prompting("typed twice", "typed twice")
            .run(
                "key",
                "generate",
                "--type",
                "ed25519",
                "--out",
                out.toString(),
                "--kdf-iterations=10000");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    TufKey key = publicKey(temp.resolve("dave.pub.json"));
    assertThat(
            PrivateKeyFile.decrypt(
                    Files.readAllBytes(out), "typed twice".toCharArray(), "dave.pem", key)
                .keyId())
        .isEqualTo(key.keyId());
  }

  @Test
  void generate_unknownType_usageError() {
    GraftRun.Result run = generate("rsa", temp.resolve("x.pem"));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("'rsa' is not a key type; choose one of composite, ed25519");
  }

  @Test
  void generatedCompositeKeys_initAndSignAHybridRepository() throws Exception {
    Path keys = temp.resolve("holders");
    for (String name : new String[] {"root", "alice", "bob"}) {
      GraftRun.Result run = generate("composite", keys.resolve(name + ".pem"));
      assertThat(run.exitCode()).as(run.toString()).isZero();
    }
    Path repo = temp.resolve("repo");
    GraftRun.Result init =
        holder()
            .run(
                "repo",
                "init",
                repo.toString(),
                "--passphrase=env:PASS",
                "--kdf-iterations=10000",
                "--root-key",
                keys.resolve("root.pem").toString(),
                "--targets-key",
                keys.resolve("alice.pub.json").toString(),
                "--targets-key",
                keys.resolve("bob.pub.json").toString(),
                "--targets-threshold",
                "2");
    assertThat(init.exitCode()).as(init.toString()).isZero();
    Path bundle = Fixtures.bundle(temp, "thermostat", "1.0.0");
    GraftRun.Result add =
        holder()
            .run("release", "add", repo.toString(), bundle.toString(), "--hardware", "gw-x86-64");
    assertThat(add.exitCode()).as(add.toString()).isZero();
    for (String name : new String[] {"alice", "bob"}) {
      GraftRun.Result sign =
          holder()
              .run(
                  "sign",
                  repo.toString(),
                  "targets",
                  "--key",
                  keys.resolve(name + ".pem").toString(),
                  "--passphrase=env:PASS",
                  "--yes");
      assertThat(sign.exitCode()).as(sign.toString()).isZero();
    }

    TufClient client = Fixtures.client(repo, true, Clock.systemUTC());
    assertThat(client.requireTarget("thermostat-1.0.0.graft")).isNotNull();
    assertThat(client.root().keys())
        .containsKeys(
            publicKey(keys.resolve("alice.pub.json")).keyId(),
            publicKey(keys.resolve("bob.pub.json")).keyId(),
            publicKey(keys.resolve("root.pub.json")).keyId());
  }

  @Test
  void generatedClassicalKeys_initAndSignAClassicalRepository() throws Exception {
    Path keys = temp.resolve("holders");
    assertThat(generate("ed25519", keys.resolve("root.pem")).exitCode()).isZero();
    assertThat(generate("ed25519", keys.resolve("targets.pem")).exitCode()).isZero();
    assertThat(generate("ecdsa-p256", keys.resolve("snapshot.pem")).exitCode()).isZero();
    assertThat(generate("ecdsa-p256", keys.resolve("timestamp.pem")).exitCode()).isZero();
    Path repo = temp.resolve("classical");
    GraftRun.Result init =
        holder()
            .run(
                "repo",
                "init",
                repo.toString(),
                "--classical",
                "--passphrase=env:PASS",
                "--root-key",
                keys.resolve("root.pem").toString(),
                "--targets-key",
                keys.resolve("targets.pub.json").toString(),
                "--snapshot-key",
                keys.resolve("snapshot.pem").toString(),
                "--timestamp-key",
                keys.resolve("timestamp.pem").toString());
    assertThat(init.exitCode()).as(init.toString()).isZero();
    GraftRun.Result sign =
        holder()
            .run(
                "sign",
                repo.toString(),
                "targets",
                "--key",
                keys.resolve("targets.pem").toString(),
                "--passphrase=env:PASS",
                "--yes");
    assertThat(sign.exitCode()).as(sign.toString()).isZero();

    TufClient client = Fixtures.client(repo, false, Clock.systemUTC());
    assertThat(client.root().keys())
        .containsKeys(
            publicKey(keys.resolve("targets.pub.json")).keyId(),
            publicKey(keys.resolve("timestamp.pub.json")).keyId());
    assertThat(client.topLevelTargets().version()).isEqualTo(1);
  }
}
