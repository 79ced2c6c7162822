package dev.spark.ingest.sentry;

import java.util.Arrays;
import java.util.function.LongFunction;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * gzip (RFC 1952) and deflate (RFC 1950 zlib or RFC 1951 raw) undone in memory with one
 * {@link Inflater} per thread, reset for each body, into an array that grows as needed and stops
 * one byte past the limit. {@code GZIPInputStream} and {@code InflaterInputStream} cost ~200 kB of
 * fresh buffers and a native inflater per request; this costs the output array. The gzip framing is
 * checked as {@code GZIPInputStream} checks it: magic, method 8, optional fields, header CRC when
 * flagged, then each member's CRC-32 and size; concatenated members are decoded in turn, and bytes
 * after the last member that are not a gzip header (or are too few to be a member) are ignored, as it
 * ignores them.
 */
final class Inflation {
  /** Thrown for a body that is not what its coding says; the message says what is wrong. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private static final ThreadLocal<Inflation> PER_THREAD = ThreadLocal.withInitial(Inflation::new);
  private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

  private final Inflater zlib = new Inflater(false);
  private final Inflater raw = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private byte[] out;
  private int size;

  private Inflation() {}

  /** {@code in[0, length)} gunzipped; {@code tooLarge} makes the exception for more than {@code limit} bytes. */
  static BodyDecoding.Decoded gunzip(byte[] in, int length, long limit, LongFunction<RuntimeException> tooLarge)
      throws Malformed {
    Inflation self = PER_THREAD.get();
    try {
      return self.gzip(in, length, limit, tooLarge);
    } finally {
      self.out = null; // a refused bomb's output is not kept by the thread
    }
  }

  /** {@code in[0, length)} inflated, zlib-wrapped or raw as its first two bytes say. */
  static BodyDecoding.Decoded inflate(byte[] in, int length, long limit, LongFunction<RuntimeException> tooLarge)
      throws Malformed {
    Inflation self = PER_THREAD.get();
    try {
      self.start(length, limit);
      self.inflate(zlibWrapped(in, length) ? self.zlib : self.raw, in, 0, length, limit, tooLarge);
      return self.result();
    } finally {
      self.out = null;
    }
  }

  private BodyDecoding.Decoded gzip(byte[] in, int length, long limit, LongFunction<RuntimeException> tooLarge)
      throws Malformed {
    start(length, limit);
    int p = header(in, 0, length, true);
    while (true) {
      int member = size;
      p = inflate(raw, in, p, length - p, limit, tooLarge);
      if (length - p < 8) throw new Malformed("Unexpected end of the gzip trailer");
      crc.reset();
      crc.update(out, member, size - member);
      if (int32(in, p) != (int) crc.getValue() || int32(in, p + 4) != size - member) {
        throw new Malformed("Corrupt GZIP trailer");
      }
      p += 8;
      // GZIPInputStream looks for another member only when more than 18 bytes follow (a member has at least 20).
      if (length - p <= 18) break;
      int next = header(in, p, length, false);
      if (next < 0) break;
      p = next;
    }
    return result();
  }

  /**
   * The offset after the gzip header at {@code p}; for a later member ({@code first} false), -1 when
   * what follows is not a gzip header (then it is ignored).
   */
  private int header(byte[] in, int p, int end, boolean first) throws Malformed {
    int start = p;
    if (end - p < 10 || (in[p] & 0xFF) != 0x1F || (in[p + 1] & 0xFF) != 0x8B) {
      if (!first) return -1;
      throw new Malformed(end - p < 2 ? "Unexpected end of the gzip header" : "Not in GZIP format");
    }
    if (in[p + 2] != 8) {
      if (!first) return -1;
      throw new Malformed("Unsupported compression method");
    }
    int flags = in[p + 3] & 0xFF;
    p += 10;
    if ((flags & FEXTRA) != 0) {
      if (end - p < 2) return cut(first);
      p += 2 + ((in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8);
    }
    if ((flags & FNAME) != 0) p = afterZero(in, p, end);
    if ((flags & FCOMMENT) != 0) p = afterZero(in, p, end);
    if (p < 0 || p > end) return cut(first);
    if ((flags & FHCRC) != 0) {
      if (end - p < 2) return cut(first);
      crc.reset();
      crc.update(in, start, p - start);
      if (((in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8) != ((int) crc.getValue() & 0xFFFF)) {
        if (!first) return -1;
        throw new Malformed("Corrupt GZIP header");
      }
      p += 2;
    }
    return p;
  }

  private static int cut(boolean first) throws Malformed {
    if (!first) return -1;
    throw new Malformed("Unexpected end of the gzip header");
  }

  private static int afterZero(byte[] in, int p, int end) {
    if (p < 0) return p;
    while (p < end && in[p] != 0) p++;
    return p < end ? p + 1 : -1;
  }

  /** Inflates one stream starting at {@code in[off]} onto the output; returns the offset after it. */
  private int inflate(Inflater inflater, byte[] in, int off, int len, long limit, LongFunction<RuntimeException> tooLarge)
      throws Malformed {
    inflater.reset();
    inflater.setInput(in, off, len);
    try {
      while (!inflater.finished()) {
        if (size == out.length) grow(limit, tooLarge);
        int n = inflater.inflate(out, size, out.length - size);
        size += n;
        if (size > limit) throw tooLarge.apply(limit);
        if (n == 0 && size < out.length && !inflater.finished()) {
          throw new Malformed(inflater.needsDictionary() ? "The stream needs a preset dictionary"
              : "Unexpected end of ZLIB input stream");
        }
      }
    } catch (DataFormatException e) {
      throw new Malformed(e.getMessage() == null ? "invalid compressed data" : e.getMessage());
    }
    return off + len - inflater.getRemaining();
  }

  private void start(int compressed, long limit) {
    out = new byte[(int) Math.min(Math.max(1024L, compressed * 4L), limit + 1)];
    size = 0;
  }

  private void grow(long limit, LongFunction<RuntimeException> tooLarge) {
    if (out.length > limit) throw tooLarge.apply(limit);
    long next = Math.min(Math.min(out.length * 2L, limit + 1), Integer.MAX_VALUE - 16);
    out = Arrays.copyOf(out, (int) next);
  }

  /** The output, handed over (the caller then forgets it): this thread's next body gets a fresh array. */
  private BodyDecoding.Decoded result() {
    return new BodyDecoding.Decoded(out, size);
  }

  /** A zlib stream starts with a header whose compression method is 8 and whose first two bytes are a multiple of 31. */
  private static boolean zlibWrapped(byte[] b, int length) {
    return length >= 2 && (b[0] & 0x0F) == 8 && (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) % 31 == 0;
  }

  private static int int32(byte[] b, int p) {
    return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
  }
}
