package dev.spark.ingest.sentry;

import org.brotli.dec.BrotliInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Undoes a request's {@code Content-Encoding}: gzip, deflate (zlib-wrapped or raw, as clients send
 * both), br and identity, also stacked ({@code gzip, br}). Decompression streams into a buffer that
 * stops at the limit, so a decompression bomb costs at most {@code limit} bytes of memory and the
 * time to inflate that much, then a 413.
 */
public final class BodyDecoding {
  private static final int CHUNK = 64 * 1024;

  private BodyDecoding() {}

  /** True when the body must be decoded (anything but absent or identity). */
  public static boolean encoded(String contentEncoding) {
    return contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.strip().equalsIgnoreCase("identity");
  }

  /**
   * @param limitName how the limit is named in the 413 (e.g. "a Sentry envelope")
   */
  public static byte[] decode(byte[] raw, String contentEncoding, long limit, String limitName) {
    if (!encoded(contentEncoding)) {
      if (raw.length > limit) throw tooLarge(limit, limitName);
      return raw;
    }
    String[] codings = contentEncoding.split(",");
    byte[] body = raw;
    // Applied in the order listed, so undone from the last one back.
    for (int i = codings.length - 1; i >= 0; i--) {
      body = decodeOne(body, codings[i].strip().toLowerCase(Locale.ROOT), limit, limitName);
    }
    return body;
  }

  private static byte[] decodeOne(byte[] body, String coding, long limit, String limitName) {
    if (coding.isEmpty() || coding.equals("identity")) return body;
    try (InputStream in = stream(body, coding)) {
      return readCapped(in, limit, limitName);
    } catch (IOException | RuntimeException e) {
      if (e instanceof SentryRejection r) throw r;
      throw SentryRejection.malformed("The body is not valid " + coding + " (Content-Encoding: " + coding + "): "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
  }

  private static InputStream stream(byte[] body, String coding) throws IOException {
    InputStream in = new ByteArrayInputStream(body);
    return switch (coding) {
      case "gzip", "x-gzip" -> new GZIPInputStream(in, CHUNK);
      case "deflate" -> new InflaterInputStream(in, new Inflater(!zlibWrapped(body)), CHUNK);
      case "br" -> new BrotliInputStream(in);
      default -> throw new SentryRejection(415, "Content-Encoding " + coding + " is not supported: send gzip, deflate, br or identity");
    };
  }

  /** A zlib stream starts with a header whose compression method is 8 and whose first two bytes are a multiple of 31. */
  private static boolean zlibWrapped(byte[] b) {
    return b.length >= 2 && (b[0] & 0x0F) == 8 && (((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) % 31 == 0;
  }

  private static byte[] readCapped(InputStream in, long limit, String limitName) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(CHUNK);
    byte[] buf = new byte[CHUNK];
    long total = 0;
    int n;
    while ((n = in.read(buf)) > 0) {
      total += n;
      if (total > limit) throw tooLarge(limit, limitName);
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static SentryRejection tooLarge(long limit, String limitName) {
    return SentryRejection.tooLarge("The body decompresses to more than " + limit + " bytes (" + limit / (1024 * 1024)
        + " MB), the most Spark takes for " + limitName + "; nothing was stored");
  }
}
