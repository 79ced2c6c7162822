package dev.spark.event;

import io.vertx.core.buffer.Buffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * InputText's scans of a request body, on its bytes in an array: the same answers as the scans they
 * replaced (byte by byte through {@link Buffer#getByte}, kept here as the reference), and valid
 * exactly when the JDK's strict UTF-8 decoder accepts the bytes. Bodies are built from the cases
 * that matter: ASCII, every length of valid UTF-8, overlong forms, CESU-8 surrogates, code points
 * past U+10FFFF, stray continuation bytes, sequences cut short, and JSON escapes near and in the
 * surrogate range.
 */
class InputTextScanPropertiesTest {

  @Property(tries = 20_000)
  void scansOfTheArrayAnswerAsTheBufferScansDidAndAsTheJdkDecoder(@ForAll("bodies") byte[] body) {
    Buffer buffer = Buffer.buffer(body);
    int bad = InputText.invalidUtf8(body);
    assertEquals(referenceInvalidUtf8(buffer), bad);
    assertEquals(jdkAccepts(body), bad < 0);
    assertEquals(referenceMayHoldEscapedSurrogate(buffer), InputText.mayHoldEscapedSurrogate(body));
    // parseJson scans a reused array holding an earlier, longer body's bytes past this one's end:
    // what lies past len must change nothing (a sequence cut short stays cut short, "\\ud8" is not completed).
    byte[] reused = Arrays.copyOf(body, body.length + 4);
    byte[] stale = {(byte) 0x80, 'u', 'd', '8'};
    System.arraycopy(stale, 0, reused, body.length, 4);
    assertEquals(bad, InputText.invalidUtf8(reused, body.length));
    assertEquals(referenceMayHoldEscapedSurrogate(buffer), InputText.mayHoldEscapedSurrogate(reused, body.length));
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> piece = Arbitraries.oneOf(
        Arbitraries.strings().ascii().ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.US_ASCII)),
        Arbitraries.integers().between(0x80, 0x10ffff).filter(cp -> cp < 0xd800 || cp > 0xdfff)
            .map(cp -> new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)),
        Arbitraries.integers().between(0, 0x1fffff).map(InputTextScanPropertiesTest::looseUtf8),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(3),
        Arbitraries.of("\\ud800", "\\uDFFF", "\\ud7ff", "\\ue000", "\\uD83D\\uDE00", "\\u00e9", "\\\\ud800", "\\ud8", "\\u", "\\")
            .map(s -> s.getBytes(StandardCharsets.US_ASCII)),
        Arbitraries.strings().withChars("\\uUdD89aAbBfFeE0").ofMaxLength(6).map(s -> s.getBytes(StandardCharsets.US_ASCII)));
    return piece.list().ofMaxSize(12).map(parts -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (byte[] p : parts) out.writeBytes(p);
      return out.toByteArray();
    });
  }

  /**
   * {@code cp} in every UTF-8-shaped form of one to four bytes, valid or not (overlong, a surrogate,
   * past U+10FFFF), sometimes cut short.
   */
  private static byte[] looseUtf8(int cp) {
    int n = 1 + Math.floorMod(cp * 31, 4);
    byte[] b = new byte[n];
    if (n == 1) {
      b[0] = (byte) (0x80 | (cp & 0x3f));
      return b;
    }
    int lead = n == 2 ? 0xc0 : n == 3 ? 0xe0 : 0xf0;
    int bits = cp;
    for (int i = n - 1; i > 0; i--) {
      b[i] = (byte) (0x80 | (bits & 0x3f));
      bits >>>= 6;
    }
    b[0] = (byte) (lead | (bits & (0x3f >> (n - 1))));
    return cp % 5 == 0 ? Arrays.copyOf(b, n - 1) : b;
  }

  private static boolean jdkAccepts(byte[] body) {
    try {
      StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** The scan as it was written on the Buffer (commit e488067). */
  private static int referenceInvalidUtf8(Buffer bytes) {
    int len = bytes.length();
    int i = 0;
    while (i < len) {
      int b = bytes.getByte(i) & 0xff;
      if (b < 0x80) {
        i++;
        continue;
      }
      int need;
      int min;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        min = 0x80;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        min = 0x800;
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        min = 0x10000;
      } else {
        return i;
      }
      if (i + need >= len) return i;
      int cp = b & (0x3f >> need);
      for (int k = 1; k <= need; k++) {
        int c = bytes.getByte(i + k) & 0xff;
        if ((c & 0xc0) != 0x80) return i;
        cp = (cp << 6) | (c & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
      i += need + 1;
    }
    return -1;
  }

  private static boolean referenceMayHoldEscapedSurrogate(Buffer raw) {
    int len = raw.length();
    for (int i = 0; i + 3 < len; i++) {
      if (raw.getByte(i) == '\\' && (raw.getByte(i + 1) | 0x20) == 'u' && (raw.getByte(i + 2) | 0x20) == 'd') {
        int c = raw.getByte(i + 3) | 0x20;
        if (c == '8' || c == '9' || (c >= 'a' && c <= 'f')) return true;
      }
    }
    return false;
  }

  @Property(tries = 1)
  void theGeneratorsReachEveryOutcome(@ForAll("bodies") byte[] ignored) {
    List<byte[]> samples = bodies().sampleStream().limit(5_000).toList();
    long invalid = samples.stream().filter(b -> InputText.invalidUtf8(b) >= 0).count();
    long escaped = samples.stream().filter(InputText::mayHoldEscapedSurrogate).count();
    long multiByteValid = samples.stream().filter(b -> InputText.invalidUtf8(b) < 0 && new String(b, StandardCharsets.UTF_8).length() < b.length).count();
    assertEquals(true, invalid > 500 && invalid < 4_500, "invalid bodies: " + invalid);
    assertEquals(true, escaped > 100, "bodies with an escaped surrogate: " + escaped);
    assertEquals(true, multiByteValid > 100, "valid bodies with multi-byte characters: " + multiByteValid);
  }
}
