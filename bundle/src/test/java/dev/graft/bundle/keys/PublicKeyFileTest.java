package dev.graft.bundle.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.KeyFileException;
import dev.graft.bundle.json.CanonicalJson;
import dev.graft.bundle.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PublicKeyFileTest {
  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = "RSA_PSS_SHA256", mode = EnumSource.Mode.EXCLUDE)
  void encodeThenDecode_givesTheSameKeyAndKeyId(KeyType type) {
    TufKey key = SoftwareKey.generate(type).publicKey();
    byte[] file = PublicKeyFile.encode(key);

    TufKey read = PublicKeyFile.decode(file, "release-1.pub");

    assertThat(read).isEqualTo(key);
    assertThat(read.keyId()).isEqualTo(key.keyId());
    assertThat(new String(file, StandardCharsets.UTF_8)).startsWith("{\n  \"keytype\": ");
  }

  @Test
  void decode_canonicalJsonWithExtraMember_keepsTheMemberInTheKeyId() {
    TufKey key = SoftwareKey.generate(KeyType.ED25519).publicKey();
    JsonObject withExtra = key.json().toBuilder().put("x-graft-note", "offline root 1").build();

    TufKey read = PublicKeyFile.decode(CanonicalJson.encode(withExtra), "root-1.pub");

    assertThat(read.json()).isEqualTo(withExtra);
    assertThat(read.keyId()).isNotEqualTo(key.keyId());
  }

  @Test
  void decode_notJson_refusesNamingTheFile() {
    assertThatThrownBy(() ->
            PublicKeyFile.decode(
                "-----BEGIN PUBLIC KEY-----".getBytes(StandardCharsets.US_ASCII), "root-1.pub"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageStartingWith("root-1.pub is not a TUF public key file");
  }

  @Test
  void decode_objectWithoutKeyval_refuses() {
    assertThatThrownBy(() ->
            PublicKeyFile.decode(
                "{\"keytype\":\"ed25519\",\"scheme\":\"ed25519\"}".getBytes(StandardCharsets.UTF_8),
                "root-1.pub"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("malformed key object");
  }

  @Test
  void decode_unknownKeyType_refusesNamingIt() {
    byte[] file =
        "{\"keytype\":\"sphincs\",\"scheme\":\"sphincs-shake-128s\",\"keyval\":{\"public\":\"00\"}}"
            .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> PublicKeyFile.decode(file, "root-1.pub"))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("keytype \"sphincs\" and scheme \"sphincs-shake-128s\"");
  }

  @Test
  void decode_ed25519KeyOfWrongLength_refuses() {
    byte[] file = PublicKeyFile.encode(TufKey.of(KeyType.ED25519, "00".repeat(31)));
    assertThatThrownBy(() -> PublicKeyFile.decode(file, "root-1.pub"))
        .isInstanceOf(KeyFileException.class)
        .hasMessage("root-1.pub holds a key of type ed25519 whose public value is malformed");
  }
}
