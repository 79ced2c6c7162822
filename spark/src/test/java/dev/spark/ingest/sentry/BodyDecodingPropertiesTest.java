package dev.spark.ingest.sentry;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BodyDecoding} undoes gzip and deflate with its own framing around a reused inflater
 * ({@link Inflation}); the JDK's streams are the reference: over random bodies, gzip headers with
 * every optional field, concatenated members, trailing bytes, truncation and corruption, it accepts
 * exactly what they accept, with the same bytes, and refuses the rest with a 400.
 */
class BodyDecodingPropertiesTest {
  private static final long LIMIT = 1 << 20;

  record Gzip(byte[] body, byte[] bytes) {}

  @Property(tries = 400)
  void gzipDecodesAsGzipInputStream(@ForAll("gzips") Gzip g) {
    assertSame(g.bytes(), "gzip", reference(g.bytes(), "gzip"));
  }

  @Property(tries = 300)
  void deflateDecodesAsInflaterInputStream(@ForAll("bodies") byte[] body, @ForAll boolean zlib, @ForAll @IntRange(max = 9) int level) {
    byte[] deflated = deflate(body, zlib, level);
    assertSame(deflated, "deflate", reference(deflated, "deflate"));
  }

  @Property(tries = 400)
  void cutOrCorruptedGzipIsRefusedWhenTheJdkRefusesIt(@ForAll("gzips") Gzip g, @ForAll @IntRange(max = 10_000) int at,
      @ForAll boolean cut, @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] bad = g.bytes().clone();
    int i = at % bad.length;
    if (cut) bad = Arrays.copyOf(bad, i);
    else bad[i] ^= (byte) xor;
    assertSame(bad, "gzip", reference(bad, "gzip"));
  }

  @Property(tries = 200)
  void cutOrCorruptedDeflateIsRefusedWhenTheJdkRefusesIt(@ForAll("bodies") byte[] body, @ForAll boolean zlib,
      @ForAll @IntRange(max = 10_000) int at, @ForAll boolean cut, @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] bad = deflate(body, zlib, 6);
    int i = at % bad.length;
    if (cut) bad = Arrays.copyOf(bad, i);
    else bad[i] ^= (byte) xor;
    assertSame(bad, "deflate", reference(bad, "deflate"));
  }

  @Test
  void aZlibStreamAskingForAPresetDictionaryIsRefused() {
    // CMF 0x78, FLG 0x20 (FDICT set; (0x78 * 256 + 0x20) % 31 == 0), a dictionary id, then data.
    byte[] body = {0x78, 0x20, 0, 0, 0, 1, 0x4b, 0x04, 0x00};
    SentryRejection r = assertThrows(SentryRejection.class, () -> BodyDecoding.decode(body, "deflate", LIMIT, "a test body"));
    assertEquals(400, r.status());
    assertTrue(r.getMessage().contains("preset dictionary"), r.getMessage());
    assertEquals(null, reference(body, "deflate"), "the reference counts it refused as well");
  }

  @Test
  void aBombStopsAtTheLimitWithA413() {
    byte[] zeros = new byte[8 << 20];
    SentryRejection r = assertThrows(SentryRejection.class,
        () -> BodyDecoding.decode(gzipMember(zeros, 9, 0, new Random(1)), "gzip", LIMIT, "a test body"));
    assertEquals(413, r.status());
    assertTrue(r.getMessage().contains(LIMIT + " bytes"), r.getMessage());
    byte[] exactly = new byte[(int) LIMIT];
    BodyDecoding.Decoded d = BodyDecoding.decode(gzipMember(exactly, 9, 0, new Random(1)), "gzip", LIMIT, "a test body");
    assertEquals(LIMIT, d.length());
  }

  @Test
  void stackedCodingsAreUndoneLastFirst() {
    byte[] body = "{\"a\":1}\n".repeat(50).getBytes(StandardCharsets.UTF_8);
    byte[] twice = deflate(gzipMember(body, 6, 0, new Random(2)), true, 6);
    assertSame(twice, "gzip, deflate", body);
  }

  /**
   * What the JDK's streams give for {@code raw}, or null when they throw. One difference is deliberate:
   * a zlib stream asking for a preset dictionary (a corrupted header can set that flag) ends the JDK's
   * InflaterInputStream as if it were complete, with nothing read; Spark has no dictionary to give, so
   * it refuses the body, and the reference counts it refused too.
   */
  private static byte[] reference(byte[] raw, String coding) {
    Inflater inflater = new Inflater(!zlibWrapped(raw));
    try (InputStream in = coding.equals("gzip") ? new GZIPInputStream(new ByteArrayInputStream(raw))
        : new InflaterInputStream(new ByteArrayInputStream(raw), inflater)) {
      byte[] out = in.readAllBytes();
      return !coding.equals("gzip") && inflater.needsDictionary() ? null : out;
    } catch (IOException | RuntimeException e) {
      return null;
    } finally {
      inflater.end();
    }
  }

  private static void assertSame(byte[] raw, String coding, byte[] expected) {
    if (expected == null) {
      SentryRejection r = assertThrows(SentryRejection.class, () -> BodyDecoding.decode(raw, coding, LIMIT, "a test body"));
      assertEquals(400, r.status(), r.getMessage());
      assertTrue(r.getMessage().startsWith("The body is not valid"), r.getMessage());
      return;
    }
    BodyDecoding.Decoded d = BodyDecoding.decode(raw, coding, LIMIT, "a test body");
    assertArrayEquals(expected, Arrays.copyOf(d.bytes(), d.length()));
  }

  private static boolean zlibWrapped(byte[] b) {
    return b.length >= 2 && (b[0] & 0x0F) == 8 && (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) % 31 == 0;
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> json = Arbitraries.strings().ofMaxLength(3_000).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> binary = Arbitraries.bytes().array(byte[].class).ofMaxSize(5_000);
    Arbitrary<byte[]> repetitive = Arbitraries.integers().between(0, 200_000).map(n -> {
      byte[] b = new byte[n];
      for (int i = 0; i < n; i++) b[i] = (byte) ("{\"frames\":[".charAt(i % 11));
      return b;
    });
    return Arbitraries.oneOf(json, binary, repetitive);
  }

  /** One to three members, each with random optional header fields, and sometimes bytes after the last. */
  @Provide
  Arbitrary<Gzip> gzips() {
    Arbitrary<byte[]> member = Combinators.combine(bodies(), Arbitraries.integers().between(0, 31),
        Arbitraries.integers().between(0, 9), Arbitraries.longs()).as((body, flags, level, seed) -> {
          byte[] m = gzipMember(body, level, flags & 0x1E, new Random(seed));
          return concat(body, m);
        });
    Arbitrary<byte[]> trailing = Arbitraries.oneOf(Arbitraries.just(new byte[0]), Arbitraries.bytes().array(byte[].class).ofMaxSize(30),
        Arbitraries.just(new byte[] {0x1F, (byte) 0x8B, 8, 0}));
    return Combinators.combine(member.list().ofMinSize(1).ofMaxSize(3), trailing).as((members, tail) -> {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      ByteArrayOutputStream gz = new ByteArrayOutputStream();
      for (byte[] m : members) {
        int bodyLength = ((m[0] & 0xFF) << 24) | ((m[1] & 0xFF) << 16) | ((m[2] & 0xFF) << 8) | (m[3] & 0xFF);
        body.write(m, 4, bodyLength);
        gz.write(m, 4 + bodyLength, m.length - 4 - bodyLength);
      }
      gz.writeBytes(tail);
      return new Gzip(body.toByteArray(), gz.toByteArray());
    });
  }

  private static byte[] concat(byte[] body, byte[] member) {
    byte[] out = new byte[4 + body.length + member.length];
    out[0] = (byte) (body.length >>> 24);
    out[1] = (byte) (body.length >>> 16);
    out[2] = (byte) (body.length >>> 8);
    out[3] = (byte) body.length;
    System.arraycopy(body, 0, out, 4, body.length);
    System.arraycopy(member, 0, out, 4 + body.length, member.length);
    return out;
  }

  /** A gzip member (RFC 1952) with the given optional fields (FHCRC 2, FEXTRA 4, FNAME 8, FCOMMENT 16). */
  static byte[] gzipMember(byte[] body, int level, int flags, Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {0x1F, (byte) 0x8B, 8, (byte) flags, 1, 2, 3, 4, 0, 3});
    if ((flags & 4) != 0) {
      int n = random.nextInt(40);
      out.write(n);
      out.write(0);
      for (int i = 0; i < n; i++) out.write(random.nextInt(256));
    }
    for (int field : List.of(8, 16)) {
      if ((flags & field) == 0) continue;
      int n = random.nextInt(20);
      for (int i = 0; i < n; i++) out.write('a' + random.nextInt(26));
      out.write(0);
    }
    if ((flags & 2) != 0) {
      CRC32 crc = new CRC32();
      crc.update(out.toByteArray());
      out.write((int) crc.getValue());
      out.write((int) (crc.getValue() >>> 8));
    }
    out.writeBytes(deflate(body, false, level));
    CRC32 crc = new CRC32();
    crc.update(body);
    for (long v : new long[] {crc.getValue(), body.length}) {
      for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
    }
    return out.toByteArray();
  }

  static byte[] deflate(byte[] body, boolean zlib, int level) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(level, !zlib))) {
      d.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
