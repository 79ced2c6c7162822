package dev.spark.ingest.sentry;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * The public key of a Sentry DSN, wherever an SDK puts it, checked against {@code ingest.token}.
 * With no token set every key is accepted (as for the rest of ingest), but one must still be sent.
 * Keys are compared in constant time as SHA-256 digests, so neither content nor length leaks.
 */
public final class SentryKeys {
  private final byte[] expected;

  public SentryKeys(String token) {
    this.expected = token == null || token.isEmpty() ? null : sha256(token);
  }

  /** 401 when {@code key} is null (none was sent), 403 when a token is set and the key is not it. */
  public void check(String key) {
    if (key == null || key.isEmpty()) {
      throw new SentryRejection(401, "No Sentry key: send it in X-Sentry-Auth (sentry_key=...), as ?sentry_key=..., "
          + "as the envelope header's dsn, or as Authorization: Bearer <key>");
    }
    if (expected != null && !MessageDigest.isEqual(sha256(key), expected)) {
      throw new SentryRejection(403, "The Sentry key is not this Spark's ingest.token: use the DSN `spark status` prints");
    }
  }

  /**
   * The key from the request itself: {@code X-Sentry-Auth} (spaces after commas or not), the
   * {@code sentry_key} query parameter, or {@code Authorization: Bearer} (also {@code Sentry ...}).
   */
  public static String fromRequest(String sentryAuth, String authorization, String queryKey) {
    String key = fromAuthHeader(sentryAuth);
    if (key == null && authorization != null) {
      if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) key = blankToNull(authorization.substring(7).trim());
      else key = fromAuthHeader(authorization);
    }
    if (key == null) key = blankToNull(queryKey);
    return key;
  }

  /** {@code Sentry sentry_version=7, sentry_client=x/1.0, sentry_key=abc}: the value of sentry_key. */
  static String fromAuthHeader(String header) {
    if (header == null) return null;
    String h = header.strip();
    if (h.regionMatches(true, 0, "Sentry ", 0, 7)) h = h.substring(7);
    for (String part : h.split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0 && part.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("sentry_key")) {
        return blankToNull(part.substring(eq + 1).strip());
      }
    }
    return null;
  }

  /** The key of a DSN ({@code http://KEY@host:port/1}), or null when it has none or is not a URL. */
  public static String fromDsn(String dsn) {
    if (dsn == null) return null;
    try {
      String user = new URI(dsn.strip()).getRawUserInfo();
      if (user == null) return null;
      int colon = user.indexOf(':');
      return blankToNull(colon < 0 ? user : user.substring(0, colon));
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
