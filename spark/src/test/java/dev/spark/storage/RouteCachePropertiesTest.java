package dev.spark.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The writer's {@link RouteCache} answers what {@link RouteTemplates#of} answers, for paths seen again,
 * paths that take another path's slot, and paths whose hash equals another's.
 */
class RouteCachePropertiesTest {

  @Property(tries = 200)
  void sameRouteAsTheTemplateOverASequenceOfPaths(@ForAll("sequences") @Size(max = 3_000) List<String> paths) {
    RouteCache cache = new RouteCache();
    for (String path : paths) assertEquals(RouteTemplates.of(path), cache.of(path), "path " + path);
  }

  @Example
  void pathsWithTheSameHashAreNotConfused() {
    // "Aa" and "BB" have the same String.hashCode, so these share a slot.
    assertEquals("/Aa/x".hashCode(), "/BB/x".hashCode());
    RouteCache cache = new RouteCache();
    assertEquals("/Aa/x", cache.of("/Aa/x"));
    assertEquals("/BB/x", cache.of("/BB/x"));
    assertEquals("/Aa/{id}", cache.of("/Aa/12345"));
    assertEquals("/BB/{id}", cache.of("/BB/12345"));
    assertEquals("/Aa/x", cache.of("/Aa/x"));
    assertEquals(null, cache.of(null));
    String longPath = "/files/" + "a".repeat(RouteCache.MAX_PATH) + "/42";
    assertEquals(RouteTemplates.of(longPath), cache.of(longPath));
    assertEquals(RouteTemplates.of(longPath), cache.of(longPath));
    assertEquals("", cache.of(""));
  }

  @Provide
  Arbitrary<List<String>> sequences() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.of("api", "users", "items", "orders", "Aa", "BB", "v1", ""),
        Arbitraries.longs().between(0, 1_000_000).map(String::valueOf),
        Arbitraries.strings().withChars("0123456789abcdef").ofMinLength(6).ofMaxLength(40),
        Arbitraries.strings().alpha().numeric().ofMaxLength(30),
        Arbitraries.strings().alpha().numeric().ofMinLength(200).ofMaxLength(300));
    Arbitrary<String> fresh = segment.list().ofMinSize(0).ofMaxSize(5).map(s -> "/" + String.join("/", s));
    // A small pool seen again and again (an application's routes), and paths seen once (ids, floods).
    Arbitrary<String> repeated = Arbitraries.of("/", "/hello", "/api/users/42", "/api/users/43", "/Aa", "/BB", "/api/orders/{id}");
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, repeated), net.jqwik.api.Tuple.of(2, fresh)).list();
  }
}
