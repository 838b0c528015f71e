package dev.graft.signer.cli;

import static dev.graft.signer.GraftRun.graft;
import static org.assertj.core.api.Assertions.assertThat;

import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import dev.graft.bundle.json.JsonParser;
import dev.graft.bundle.json.PrettyJson;
import dev.graft.bundle.keys.PrivateKeyFile;
import dev.graft.bundle.keys.PublicKeyFile;
import dev.graft.bundle.keys.TufKey;
import dev.graft.signer.GraftRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code graft key backup} and {@code graft key restore} for key files: the round trip gives the
 * same key, and a wrong passphrase, a damaged or a substituted backup is refused with nothing
 * written.
 */
class KeyBackupTest {
  private static final String KEY_PASS = "key file passphrase";
  private static final String BACKUP_PASS = "separate backup passphrase";
  private static final String NEW_PASS = "restored file passphrase";

  @TempDir Path temp;

  private static GraftRun ceremony() {
    return graft().env("KEY", KEY_PASS).env("BACKUP", BACKUP_PASS).env("NEW", NEW_PASS);
  }

  private Path keyFile(String type, String name) {
    Path out = temp.resolve(name + ".pem");
    GraftRun.Result run =
        ceremony()
            .run(
                "key",
                "generate",
                "--type",
                type,
                "--out",
                out.toString(),
                "--passphrase=env:KEY",
                "--kdf-iterations=10000");
    assertThat(run.exitCode()).as(run.toString()).isZero();
    return out;
  }

  private TufKey publicKey(String name) throws Exception {
    Path file = temp.resolve(name + ".pub.json");
    return PublicKeyFile.decode(Files.readAllBytes(file), file.toString());
  }

  private GraftRun.Result backup(Path key, Path out) {
    return ceremony()
        .run(
            "key",
            "backup",
            key.toString(),
            "--out",
            out.toString(),
            "--passphrase=env:KEY",
            "--backup-passphrase=env:BACKUP",
            "--kdf-iterations=10000");
  }

  private GraftRun.Result restore(GraftRun run, Path backup, Path out, String... extra) {
    String[] args =
        Stream.concat(
                Stream.of(
                    "key",
                    "restore",
                    backup.toString(),
                    "--out",
                    out.toString(),
                    "--backup-passphrase=env:BACKUP",
                    "--passphrase=env:NEW",
                    "--kdf-iterations=10000"),
                Stream.of(extra))
            .toArray(String[]::new);
    return run.run(args);
  }

  private void assertNothingRestored(Path out) {
    assertThat(out).doesNotExist();
    assertThat(KeyCommand.publicKeyFileFor(out)).doesNotExist();
  }

  @Test
  void backupThenRestore_compositeKeyFile_sameKeyUnderTheNewPassphrase() throws Exception {
    Path key = keyFile("composite", "alice");
    TufKey expected = publicKey("alice");
    Path backup = temp.resolve("offline/alice.backup.json");

    GraftRun.Result made = backup(key, backup);
    assertThat(made.exitCode()).as(made.toString()).isZero();
    assertThat(made.out()).contains("of key " + expected.keyId());
    assertThat(Files.getPosixFilePermissions(backup).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
    assertThat(Files.readString(backup))
        .contains("\"format\": \"graft-key-backup\"")
        .contains(expected.keyId())
        .doesNotContain(BACKUP_PASS)
        .doesNotContain(KEY_PASS);

    Path restored = temp.resolve("restored/alice.pem");
    GraftRun.Result run =
        restore(ceremony(), backup, restored, "--expect-key-id", expected.keyId().substring(0, 12));

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out()).contains("Restored key " + expected.keyId());
    assertThat(
            PrivateKeyFile.decrypt(
                    Files.readAllBytes(restored), NEW_PASS.toCharArray(), "restored", expected)
                .keyId())
        .isEqualTo(expected.keyId());
    assertThat(
            PublicKeyFile.decode(
                Files.readAllBytes(temp.resolve("restored/alice.pub.json")), "restored"))
        .isEqualTo(expected);
    assertThat(Files.getPosixFilePermissions(restored).toString())
        .isEqualTo("[OWNER_READ, OWNER_WRITE]");
  }

  @Test
  void restore_ed25519Backup_keySignsAsTheOriginal() throws Exception {
    Path key = keyFile("ed25519", "bob");
    Path backup = temp.resolve("bob.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    Path restored = temp.resolve("bob-restored.pem");

    GraftRun.Result run = restore(ceremony(), backup, restored, "--json");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    JsonObject json =
        JsonParser.withDefaults().parseObject(run.out().getBytes(StandardCharsets.UTF_8));
    assertThat(json.string("key_id")).isEqualTo(publicKey("bob").keyId());
    assertThat(json.string("kind")).isEqualTo("key-file");
    byte[] message = "same key".getBytes(StandardCharsets.UTF_8);
    byte[] original =
        PrivateKeyFile.decrypt(Files.readAllBytes(key), KEY_PASS.toCharArray(), "bob")
            .sign(message);
    byte[] again =
        PrivateKeyFile.decrypt(Files.readAllBytes(restored), NEW_PASS.toCharArray(), "restored")
            .sign(message);
    // Ed25519 is deterministic: the same key gives the same signature.
    assertThat(again).isEqualTo(original);
  }

  @Test
  void restore_wrongBackupPassphrase_refusedAndNothingWritten() {
    Path key = keyFile("ecdsa-p256", "carol");
    Path backup = temp.resolve("carol.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    Path restored = temp.resolve("carol-restored.pem");

    GraftRun.Result run = restore(ceremony().env("BACKUP", "not the passphrase"), backup, restored);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("passphrase is wrong").doesNotContain("not the passphrase");
    assertNothingRestored(restored);
  }

  @Test
  void restore_damagedBackup_refusedByTheChecksumAndNothingWritten() throws Exception {
    Path key = keyFile("composite", "dave");
    Path backup = temp.resolve("dave.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    String text = Files.readString(backup);
    int at = text.indexOf("-----BEGIN ENCRYPTED PRIVATE KEY-----") + 60;
    char flipped = text.charAt(at) == 'A' ? 'B' : 'A';
    Files.writeString(backup, text.substring(0, at) + flipped + text.substring(at + 1));
    Path restored = temp.resolve("dave-restored.pem");

    GraftRun.Result run = restore(ceremony(), backup, restored);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains(backup + " is damaged")
        .contains("checksum does not match")
        .contains("nothing was restored");
    assertNothingRestored(restored);
  }

  @Test
  void restore_truncatedBackup_refused() throws Exception {
    Path key = keyFile("ed25519", "erin");
    Path backup = temp.resolve("erin.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    byte[] bytes = Files.readAllBytes(backup);
    Files.write(backup, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path restored = temp.resolve("erin-restored.pem");

    GraftRun.Result run = restore(ceremony(), backup, restored);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("is damaged or not a key backup");
    assertNothingRestored(restored);
  }

  @Test
  void restore_anotherKeySubstitutedWithAFreshChecksum_refusedAsNotTheNamedKey() throws Exception {
    Path alice = keyFile("ed25519", "alice");
    Path mallory = keyFile("ed25519", "mallory");
    Path aliceBackup = temp.resolve("alice.backup.json");
    Path malloryBackup = temp.resolve("mallory.backup.json");
    assertThat(backup(alice, aliceBackup).exitCode()).isZero();
    assertThat(backup(mallory, malloryBackup).exitCode()).isZero();
    // Mallory's key under Alice's key id, with the checksum recomputed: only decryption tells.
    JsonObject forged =
        JsonParser.withDefaults().parseObject(Files.readAllBytes(aliceBackup)).toBuilder()
            .put(
                "private_key",
                JsonParser.withDefaults()
                    .parseObject(Files.readAllBytes(malloryBackup))
                    .string("private_key"))
            .remove("sha256")
            .build();
    String sum =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(CanonicalJson.encode(forged)));
    Files.write(aliceBackup, PrettyJson.encode(forged.toBuilder().put("sha256", sum).build()));
    Path restored = temp.resolve("forged.pem");

    GraftRun.Result run = restore(ceremony(), aliceBackup, restored);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .contains("not the expected key " + publicKey("alice").keyId())
        .contains(publicKey("mallory").keyId());
    assertNothingRestored(restored);
  }

  @Test
  void restore_expectedKeyIdDiffers_refusedBeforeAnyPassphrase() {
    Path key = keyFile("ed25519", "frank");
    Path backup = temp.resolve("frank.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    Path restored = temp.resolve("frank-restored.pem");

    GraftRun.Result run = restore(graft(), backup, restored, "--expect-key-id", "0000000000000000");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("not 0000000000000000").contains("nothing was restored");
    assertNothingRestored(restored);
  }

  @Test
  void restore_existingTarget_refusedAndKept() throws Exception {
    Path key = keyFile("ed25519", "gina");
    Path backup = temp.resolve("gina.backup.json");
    assertThat(backup(key, backup).exitCode()).isZero();
    byte[] before = Files.readAllBytes(key);

    GraftRun.Result run = restore(ceremony(), backup, key);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("already exists");
    assertThat(Files.readAllBytes(key)).isEqualTo(before);
  }

  @Test
  void backup_samePassphraseAsTheKeyFile_refused() {
    Path key = keyFile("ed25519", "henry");
    Path out = temp.resolve("henry.backup.json");

    GraftRun.Result run =
        ceremony()
            .env("BACKUP", KEY_PASS)
            .run(
                "key",
                "backup",
                key.toString(),
                "--out",
                out.toString(),
                "--passphrase=env:KEY",
                "--backup-passphrase=env:BACKUP",
                "--kdf-iterations=10000");

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("use a separate one");
    assertThat(out).doesNotExist();
  }

  @Test
  void backup_existingBackupFile_refusedAndKept() throws Exception {
    Path key = keyFile("ed25519", "iris");
    Path out = temp.resolve("iris.backup.json");
    Files.writeString(out, "older backup");

    GraftRun.Result run = backup(key, out);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("already exists");
    assertThat(Files.readString(out)).isEqualTo("older backup");
  }
}
