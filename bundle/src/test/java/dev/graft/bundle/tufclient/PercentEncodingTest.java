package dev.graft.bundle.tufclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.graft.bundle.testing.RecordingServer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PercentEncodingTest {

  // Expected values are what Python's urllib.parse.quote(name, safe="") returns.
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "root                | root",
        "a/b                 | a%2Fb",
        "..                  | ..",
        "../delegatedrole    | ..%2Fdelegatedrole",
        "/delegatedrole      | %2Fdelegatedrole",
        "\"a b\"             | a%20b",
        "100%                | 100%25",
        "?                   | %3F",
        "#                   | %23",
        "+                   | %2B",
        "é                   | %C3%A9",
        "😀                  | %F0%9F%98%80",
        "AZaz09-._~          | AZaz09-._~",
      })
  void segment_name_encodesEveryByteOutsideUnreserved(String name, String expected) {
    assertThat(PercentEncoding.segment(name)).isEqualTo(expected);
  }

  @Test
  void segment_randomNames_outputIsUnreservedOrEscapesAndDecodesBack() {
    Random random = new Random(7);
    for (int i = 0; i < 2_000; i++) {
      StringBuilder name = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        int codePoint;
        do {
          codePoint = random.nextInt(4) == 0 ? random.nextInt(0x1F700) : 0x20 + random.nextInt(95);
        } while (Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF);
        name.appendCodePoint(codePoint);
      }
      String encoded = PercentEncoding.segment(name.toString());
      assertThat(encoded).matches("[A-Za-z0-9._~%-]*").doesNotContain("/");
      assertThat(RecordingServer.decode(encoded)).isEqualTo(name.toString());
    }
  }

  @Test
  void targetPath_nestedPath_encodesSegmentsAndKeepsSeparators() {
    assertThat(PercentEncoding.targetPath("dir/sub dir/ünï..x%.txt"))
        .isEqualTo("dir/sub%20dir/%C3%BCn%C3%AF..x%25.txt");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"..", "../x", "a/../b", "a/..", ".", "./x", "a/./b", "", "/a", "a/", "a//b"})
  void targetPath_dotOrEmptySegment_refusedNamingThePath(String path) {
    assertThatThrownBy(() -> PercentEncoding.targetPath(path))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target path '" + path + "'")
        .hasMessageMatching("(?s).*(empty segment|'\\.\\.' segment|'\\.' segment).*");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "target_file.txt                 | target_file.txt",
        "path/to/a/target_file.txt       | path%2Fto%2Fa%2Ftarget_file.txt",
        "../../etc/passwd                | ..%2F..%2Fetc%2Fpasswd",
        "..                              | %2E%2E",
        ".                               | %2E",
        "...                             | ...",
      })
  void fileName_targetPath_isOneSafeFileName(String path, String expected) {
    assertThat(PercentEncoding.fileName(path)).isEqualTo(expected);
  }

  @Test
  void fileName_emptyPath_refused() {
    assertThatThrownBy(() -> PercentEncoding.fileName(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty target path");
  }
}
