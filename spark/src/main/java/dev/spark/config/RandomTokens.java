package dev.spark.config;

import java.security.SecureRandom;
import java.util.Base64;

/** Unguessable tokens (a run's {@code web.token} when none is configured, session ids): URL-safe Base64 of random bytes. */
public final class RandomTokens {
  /** Bytes of a generated {@code web.token}. */
  public static final int TOKEN_BYTES = 24;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RandomTokens() {
  }

  /** A token of {@value #TOKEN_BYTES} random bytes. */
  public static String token() {
    return token(TOKEN_BYTES);
  }

  /** A token of {@code bytes} random bytes, URL-safe Base64 without padding. */
  public static String token(int bytes) {
    byte[] out = new byte[bytes];
    RANDOM.nextBytes(out);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }
}
