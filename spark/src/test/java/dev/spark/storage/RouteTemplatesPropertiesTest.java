package dev.spark.storage;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link RouteTemplates#of} gives, for random paths (digits, UUIDs, hex, long tokens, empty segments,
 * trailing slashes, non-ASCII, long paths), exactly what the original algorithm gave; kept here as
 * {@link #originalTemplate}, the oracle.
 */
class RouteTemplatesPropertiesTest {
  private static final String[] WORDS = {"api", "users", "items", "v1", "v2", "Aa", "BB", "files", "report-2024.pdf", "ünï", "日本", "{id}", "-", "a-b"};

  @Test
  void sameTemplateAsTheOriginalAlgorithm() {
    Random random = new Random(3);
    for (int i = 0; i < 200_000; i++) {
      String path = randomPath(random);
      assertEquals(originalTemplate(path), RouteTemplates.of(path), path);
    }
    for (String path : new String[] {null, "", "/", "//", "42", "42/", "/42", "abc", "/api/users/", "/api/users/42/", "/7//8"}) {
      assertEquals(originalTemplate(path), RouteTemplates.of(path), path);
    }
  }

  /** A path of random segments: words, numbers, UUIDs, hex strings, tokens, empty ones, non-ASCII. */
  static String randomPath(Random random) {
    StringBuilder path = new StringBuilder(random.nextInt(8) == 0 ? "" : "/");
    int segments = random.nextInt(6);
    for (int s = 0; s < segments; s++) {
      if (s > 0) path.append('/');
      path.append(segment(random));
    }
    if (random.nextInt(5) == 0) path.append('/');
    return path.toString();
  }

  private static String segment(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> "";
      case 1, 2 -> Long.toString(random.nextInt(3) == 0 ? random.nextLong() & Long.MAX_VALUE : random.nextInt(10_000));
      case 3 -> java.util.UUID.randomUUID().toString().substring(0, random.nextInt(4) == 0 ? 35 : 36);
      case 4 -> chars(random, "0123456789abcdefABCDEF", 4 + random.nextInt(14));
      case 5 -> chars(random, "abcXYZ0123456789", 15 + random.nextInt(10));
      case 6 -> chars(random, "abcxyz", 1 + random.nextInt(300));
      case 7 -> chars(random, "ü日0-é", 1 + random.nextInt(25));
      default -> WORDS[random.nextInt(WORDS.length)];
    };
  }

  private static String chars(Random random, String alphabet, int length) {
    StringBuilder s = new StringBuilder(length);
    for (int i = 0; i < length; i++) s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    return s.toString();
  }

  /** RouteTemplates.of as it was first written, unchanged: the oracle. */
  static String originalTemplate(String path) {
    if (path == null || path.isEmpty()) return path;
    StringBuilder out = null;
    int start = 0;
    int n = path.length();
    while (start <= n) {
      int end = path.indexOf('/', start);
      if (end < 0) end = n;
      if (end > start && RouteTemplates.isId(path, start, end)) {
        if (out == null) out = new StringBuilder(n).append(path, 0, start);
        out.append(RouteTemplates.ID);
      } else if (out != null) {
        out.append(path, start, end);
      }
      if (end < n && out != null) out.append('/');
      start = end + 1;
    }
    return out == null ? path : out.toString();
  }
}
