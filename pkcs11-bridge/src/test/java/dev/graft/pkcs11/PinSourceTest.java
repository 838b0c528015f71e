package dev.graft.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinSourceTest {
  private static final String KEY = "pkcs11:token=t;object=o";

  @TempDir Path dir;

  /** Answers with a fixed PIN and remembers what it was asked. */
  private static final class FakePrompt implements SecretPrompt {
    final List<String> asked = new ArrayList<>();
    private final String answer;

    FakePrompt(String answer) {
      this.answer = answer;
    }

    @Override
    public Optional<char[]> ask(String prompt) {
      asked.add(prompt);
      return Optional.of(answer.toCharArray());
    }
  }

  private static PinSource pins(Map<String, String> environment) {
    return new PinSource(new SecretReader(environment, SecretPrompt.none()));
  }

  private Path secretFile(byte[] content, String permissions) throws IOException {
    Path file = Files.createTempFile(dir, "pin", ".txt");
    Files.write(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    return file;
  }

  private Path secretFile(String content, String permissions) throws IOException {
    return secretFile(content.getBytes(StandardCharsets.UTF_8), permissions);
  }

  private static String pin(PinSource pins, String uri) {
    return new String(pins.pin(Pkcs11Uri.parse(uri)));
  }

  @Test
  void pin_fileReadableByOwnerOnly_isReadWithoutTheTrailingNewline() throws IOException {
    Path file = secretFile("1234\n", "rw-------");

    assertThat(pin(pins(Map.of()), KEY + "?pin-source=file:" + file)).isEqualTo("1234");
  }

  @Test
  void pin_fileEndingInCrLf_losesOneLineEnding() throws IOException {
    Path file = secretFile("12 34\r\n", "rw-------");

    assertThat(pin(pins(Map.of()), KEY + "?pin-source=file:" + file)).isEqualTo("12 34");
  }

  @Test
  void pin_fileEndingInTwoNewlines_losesOnlyOne() throws IOException {
    Path file = secretFile("1234\n\n", "r--------");

    assertThat(pin(pins(Map.of()), KEY + "?pin-source=file:" + file)).isEqualTo("1234\n");
  }

  @Test
  void pin_fileWithNonAsciiPin_isDecodedAsUtf8() throws IOException {
    Path file = secretFile("p\u00e4ss", "rw-------");

    assertThat(pin(pins(Map.of()), KEY + "?pin-source=file:" + file)).isEqualTo("p\u00e4ss");
  }

  @Test
  void pin_fileReadableByGroup_isAccepted() throws IOException {
    Path file = secretFile("1234", "rw-r-----");

    assertThat(pin(pins(Map.of()), KEY + "?pin-source=file:" + file)).isEqualTo("1234");
  }

  @Test
  void pin_fileReadableByEveryone_isRefused() throws IOException {
    Path file = secretFile("1234\n", "rw-r--r--");

    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + file))
        .isInstanceOf(SecretSourceException.class)
        .isInstanceOf(Pkcs11Exception.class)
        .hasMessage(
            file
                + " holds the PIN for token \"t\" but every user can read it (permissions"
                + " rw-r--r--); refusing to use it: run chmod o-rwx "
                + file
                + " (or chmod 600)");
  }

  @Test
  void pin_fileUriForms_allNameTheSameFile() throws IOException {
    Path file = secretFile("1234", "rw-------");
    PinSource pins = pins(Map.of());

    assertThat(pin(pins, KEY + "?pin-source=file://" + file)).isEqualTo("1234");
    assertThat(pin(pins, KEY + "?pin-source=file://localhost" + file)).isEqualTo("1234");
    assertThat(pin(pins, KEY + "?pin-source=FILE:" + file)).isEqualTo("1234");
  }

  @Test
  void pin_fileUriOnAnotherHost_isRefused() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file://example.com/pin"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "pin-source file://example.com/pin does not name a local file: use"
                + " file:/absolute/path (Graft reads no secrets over the network)");
  }

  @Test
  void pin_missingFile_isRefusedNamingIt() {
    Path missing = dir.resolve("no-such-pin");

    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + missing))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "cannot read the PIN for token \"t\" from " + missing + ": there is no such file");
  }

  @Test
  void pin_directory_isRefused() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + dir))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "cannot read the PIN for token \"t\" from " + dir + ": it is not a regular file");
  }

  @Test
  void pin_emptyFileOrBareNewline_isRefused() throws IOException {
    for (String content : List.of("", "\n", "\r\n")) {
      Path file = secretFile(content, "rw-------");

      assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + file))
          .isInstanceOf(SecretSourceException.class)
          .hasMessage(file + " is empty; it should hold the PIN for token \"t\"");
    }
  }

  @Test
  void pin_fileLargerThanAnyPin_isRefused() throws IOException {
    Path file = secretFile("1".repeat(SecretReader.MAX_FILE_BYTES + 1), "rw-------");

    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + file))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            file
                + " is larger than 4096 bytes: too large to hold the PIN for token \"t\"; is it"
                + " the right file?");
  }

  @Test
  void pin_fileNotUtf8_isRefused() throws IOException {
    Path file = secretFile(new byte[] {'1', (byte) 0xff, '2'}, "rw-------");

    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=file:" + file))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            file + " should hold the PIN for token \"t\" as UTF-8 text, but is not valid UTF-8");
  }

  @Test
  void pin_environmentVariable_isReadFromTheGivenEnvironment() {
    assertThat(pin(pins(Map.of("GRAFT_PIN", "9876")), KEY + "?pin-source=env:GRAFT_PIN"))
        .isEqualTo("9876");
  }

  @Test
  void pin_unsetOrEmptyEnvironmentVariable_isRefused() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=env:GRAFT_PIN"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "environment variable GRAFT_PIN, which should hold the PIN for token \"t\", is not"
                + " set");
    assertThatThrownBy(() -> pin(pins(Map.of("GRAFT_PIN", "")), KEY + "?pin-source=env:GRAFT_PIN"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "environment variable GRAFT_PIN, which should hold the PIN for token \"t\", is empty");
  }

  @Test
  void pin_badEnvironmentVariableName_isRefused() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=env:1234"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "pin-source: \"env:\" must be followed by an environment variable name (letters,"
                + " digits and '_', not starting with a digit); what follows it is not shown, in"
                + " case it is the secret itself");
  }

  @Test
  void pin_pinSourceHoldingThePinItself_isRefusedWithoutShowingIt() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-source=246810"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "pin-source is neither file:PATH, env:NAME nor prompt (its value is not shown, in"
                + " case it is the secret itself)");
  }

  @Test
  void pin_pinValue_isThePin() {
    assertThat(pin(pins(Map.of()), KEY + "?pin-value=4321")).isEqualTo("4321");
  }

  @Test
  void pin_emptyPinValue_isRefused() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY + "?pin-value="))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage("the pin-value of pkcs11:token=t;object=o?pin-value=<redacted> is empty");
  }

  @Test
  void pin_noSource_asksAtThePrompt() {
    FakePrompt prompt = new FakePrompt("5555");
    PinSource pins = new PinSource(new SecretReader(Map.of(), prompt));

    assertThat(pin(pins, KEY)).isEqualTo("5555");
    assertThat(prompt.asked).containsExactly("Enter the PIN for token \"t\": ");
  }

  @Test
  void pin_promptAsPinSource_asksAtThePrompt() {
    FakePrompt prompt = new FakePrompt("5555");
    PinSource pins = new PinSource(new SecretReader(Map.of(), prompt));

    assertThat(pin(pins, "pkcs11:serial=42;object=o?pin-source=prompt")).isEqualTo("5555");
    assertThat(prompt.asked)
        .containsExactly("Enter the PIN for the token with serial number \"42\": ");
  }

  @Test
  void pin_noSourceAndNoTerminal_saysHowToNameOne() {
    assertThatThrownBy(() -> pin(pins(Map.of()), KEY))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "cannot ask for the PIN for token \"t\": there is no terminal to ask on (or its input"
                + " ended); name a file or an environment variable that holds it instead (the"
                + " URI pkcs11:token=t;object=o has no pin-source: add one, such as"
                + " ?pin-source=file:/etc/graft/token-pin or ?pin-source=env:GRAFT_TOKEN_PIN)");
  }

  @Test
  void pin_nothingEntered_isRefused() {
    PinSource pins = new PinSource(new SecretReader(Map.of(), new FakePrompt("")));

    assertThatThrownBy(() -> pin(pins, KEY))
        .isInstanceOf(SecretSourceException.class)
        .hasMessageStartingWith("nothing was entered for the PIN for token \"t\"");
  }

  @Test
  void parse_secretSourceForms_giveTheirSources() {
    assertThat(SecretSource.parse("file:/etc/pin"))
        .isEqualTo(new SecretSource.FromFile(Path.of("/etc/pin")));
    assertThat(SecretSource.parse("file:///etc/pin"))
        .isEqualTo(new SecretSource.FromFile(Path.of("/etc/pin")));
    assertThat(SecretSource.parse("file:pin.txt"))
        .isEqualTo(new SecretSource.FromFile(Path.of("pin.txt")));
    assertThat(SecretSource.parse("env:GRAFT_PASSPHRASE"))
        .isEqualTo(new SecretSource.FromEnvironment("GRAFT_PASSPHRASE"));
    assertThat(SecretSource.parse("prompt")).isEqualTo(new SecretSource.FromPrompt());
  }

  @Test
  void parse_fileWithoutPath_isRefused() {
    assertThatThrownBy(() -> SecretSource.parse("file:"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage("secret source file: names no file");
    assertThatThrownBy(() -> SecretSource.parse("file://localhost"))
        .isInstanceOf(SecretSourceException.class)
        .hasMessage(
            "secret source file://localhost does not name a local file: use file:/absolute/path"
                + " (Graft reads no secrets over the network)");
  }
}
