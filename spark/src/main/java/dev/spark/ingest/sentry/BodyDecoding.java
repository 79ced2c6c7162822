package dev.spark.ingest.sentry;

import org.brotli.dec.BrotliInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * Undoes a request's {@code Content-Encoding}: gzip, deflate (zlib-wrapped or raw, as clients send
 * both), br and identity, also stacked ({@code gzip, br}). Decompression streams into a buffer that
 * stops at the limit, so a decompression bomb costs at most {@code limit} bytes of memory (twice
 * that while the buffer grows) and the time to inflate that much, then a 413. gzip and deflate go
 * through {@link Inflation} (a reused inflater per thread), br through the Brotli decoder's stream.
 */
public final class BodyDecoding {
  private static final int CHUNK = 16 * 1024;

  private BodyDecoding() {}

  /** True when the body must be decoded (anything but absent or identity). */
  public static boolean encoded(String contentEncoding) {
    return contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.strip().equalsIgnoreCase("identity");
  }

  /** A decoded body: {@code bytes[0, length)} (decoders hand over their buffer without trimming it). */
  public record Decoded(byte[] bytes, int length) {}

  /**
   * @param limitName how the limit is named in the 413 (e.g. "a Sentry envelope")
   */
  public static Decoded decode(byte[] raw, String contentEncoding, long limit, String limitName) {
    if (!encoded(contentEncoding)) {
      if (raw.length > limit) throw tooLarge(limit, limitName);
      return new Decoded(raw, raw.length);
    }
    String[] codings = contentEncoding.split(",");
    Decoded body = new Decoded(raw, raw.length);
    // Applied in the order listed, so undone from the last one back.
    for (int i = codings.length - 1; i >= 0; i--) {
      body = decodeOne(body, codings[i].strip().toLowerCase(Locale.ROOT), limit, limitName);
    }
    return body;
  }

  private static Decoded decodeOne(Decoded body, String coding, long limit, String limitName) {
    if (coding.isEmpty() || coding.equals("identity")) return body;
    LongFunction<RuntimeException> tooLarge = l -> tooLarge(l, limitName);
    try {
      return switch (coding) {
        case "gzip", "x-gzip" -> Inflation.gunzip(body.bytes(), body.length(), limit, tooLarge);
        case "deflate" -> Inflation.inflate(body.bytes(), body.length(), limit, tooLarge);
        case "br" -> brotli(body, limit, tooLarge);
        default -> throw new SentryRejection(415, "Content-Encoding " + coding + " is not supported: send gzip, deflate, br or identity");
      };
    } catch (Inflation.Malformed | IOException | RuntimeException e) {
      if (e instanceof SentryRejection r) throw r;
      throw SentryRejection.malformed("The body is not valid " + coding + " (Content-Encoding: " + coding + "): "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  private static Decoded brotli(Decoded body, long limit, LongFunction<RuntimeException> tooLarge) throws IOException {
    try (InputStream in = new BrotliInputStream(new ByteArrayInputStream(body.bytes(), 0, body.length()))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, body.length() * 4));
      byte[] buf = new byte[CHUNK];
      long total = 0;
      int n;
      while ((n = in.read(buf)) > 0) {
        total += n;
        if (total > limit) throw tooLarge.apply(limit);
        out.write(buf, 0, n);
      }
      return new Decoded(out.toByteArray(), out.size());
    }
  }

  private static SentryRejection tooLarge(long limit, String limitName) {
    return SentryRejection.tooLarge("The body decompresses to more than " + limit + " bytes (" + limit / (1024 * 1024)
        + " MB), the most Spark takes for " + limitName + "; nothing was stored");
  }
}
