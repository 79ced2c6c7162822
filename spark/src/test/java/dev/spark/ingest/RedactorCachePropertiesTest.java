package dev.spark.ingest;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Redactor remembers which keys are sensitive: a remembered answer is the computed one, for any
 * key, the first time and every later time, and the memory stays bounded however many keys arrive.
 */
class RedactorCachePropertiesTest {
  private final Redactor shared = new Redactor(Redactor.DEFAULT_PATTERNS);

  @Property(tries = 3_000)
  void rememberedAnswerIsTheComputedOne(@ForAll("keys") String key) {
    boolean expected = reference(key);
    assertEquals(expected, shared.isSensitive(key), key);
    assertEquals(expected, shared.isSensitive(key), "asked again: " + key);
    assertEquals(expected, new Redactor(Redactor.DEFAULT_PATTERNS).isSensitive(key), "fresh: " + key);
  }

  @Property(tries = 3)
  void memoryIsBounded(@ForAll("keys") String prefix) {
    Redactor r = new Redactor(Redactor.DEFAULT_PATTERNS);
    for (int i = 0; i < Redactor.CACHED_KEYS + 500; i++) {
      String key = (i % 7 == 0 ? "x-api-key-" : "field-") + i;
      assertEquals(reference(key), r.isSensitive(key), key);
    }
    assertTrue(r.cachedKeys() <= Redactor.CACHED_KEYS, "remembered " + r.cachedKeys());
    assertEquals(reference(prefix + "Password"), r.isSensitive(prefix + "Password"));
  }

  /** The rule as documented: the key lower-cased, letters and digits only, contains a pattern. */
  private static boolean reference(String key) {
    StringBuilder sb = new StringBuilder();
    key.toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetterOrDigit).forEach(sb::appendCodePoint);
    String k = sb.toString();
    return Redactor.DEFAULT_PATTERNS.stream().anyMatch(k::contains);
  }

  @Provide
  Arbitrary<String> keys() {
    Arbitrary<String> pattern = Arbitraries.of(Redactor.DEFAULT_PATTERNS);
    Arbitrary<String> noise = Arbitraries.strings().ofMaxLength(12);
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(80),
        Arbitraries.of(List.of("type", "message", "stack", "X-Api-Key", "api_key", "apiKey", "Authorization", "set-cookie", "tokens", "tok_en")),
        Combinators.combine(noise, pattern, noise, Arbitraries.of(true, false))
            .as((a, p, b, upper) -> a + (upper ? p.toUpperCase(Locale.ROOT) : p) + b));
  }
}
