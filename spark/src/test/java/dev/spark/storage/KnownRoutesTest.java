package dev.spark.storage;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The writer's {@link KnownRoutes} answers what the original template algorithm answers, over long
 * sequences of random paths (repeated routes, floods of distinct ones that fill the table, long paths),
 * and a route it holds comes back as the same String.
 */
class KnownRoutesTest {

  @Test
  void sameRoutesAsTheOriginalAlgorithmOverRandomSequences() {
    Random random = new Random(5);
    KnownRoutes routes = new KnownRoutes();
    List<String> pool = new ArrayList<>();
    for (int i = 0; i < 50; i++) pool.add(RouteTemplatesPropertiesTest.randomPath(random));
    for (int i = 0; i < 300_000; i++) {
      String path = switch (random.nextInt(4)) {
        case 0 -> pool.get(random.nextInt(pool.size())); // an application's routes, seen again and again
        case 1 -> "/api/users/" + random.nextInt(10_000) + (random.nextBoolean() ? "" : "/orders/" + random.nextInt(100));
        // distinct routes: /x123/{id}, enough to fill and restart the table
        case 2 -> "/x" + Integer.toString(random.nextInt(1_000_000), 36) + "/" + random.nextInt(100);
        default -> RouteTemplatesPropertiesTest.randomPath(random);
      };
      assertEquals(RouteTemplatesPropertiesTest.originalTemplate(path), routes.of(path), path);
    }
  }

  @Test
  void edgeCases() {
    KnownRoutes routes = new KnownRoutes();
    assertEquals(null, routes.of(null));
    assertEquals("", routes.of(""));
    String plain = "/api/users";
    assertSame(plain, routes.of(plain), "a path without ids is its own route");
    String first = routes.of("/api/users/42");
    assertEquals("/api/users/{id}", first);
    assertSame(first, routes.of("/api/users/43"), "a known route is not built again");
    // "Aa" and "BB" have the same String.hashCode, so their routes do too.
    assertEquals("/Aa/{id}", routes.of("/Aa/1"));
    assertEquals("/BB/{id}", routes.of("/BB/1"));
    assertEquals("/Aa/{id}", routes.of("/Aa/2"));
    String longPath = "/files/" + "a".repeat(KnownRoutes.MAX_LENGTH) + "/42";
    assertEquals(RouteTemplatesPropertiesTest.originalTemplate(longPath), routes.of(longPath));
    String manyIds = "/1".repeat(KnownRoutes.MAX_LENGTH / 2); // its route is longer than the path
    assertEquals(RouteTemplatesPropertiesTest.originalTemplate(manyIds), routes.of(manyIds));
    assertEquals(RouteTemplatesPropertiesTest.originalTemplate(manyIds), routes.of(manyIds));
    assertEquals("/日本/{id}/ü", routes.of("/日本/12/ü"));
    assertEquals("/日本/{id}/ü", routes.of("/日本/13/ü"));
    for (int i = 0; i < 3 * KnownRoutes.MAX; i++) assertEquals("/r" + i + "/{id}", routes.of("/r" + i + "/7"));
    assertEquals("/api/users/{id}", routes.of("/api/users/44"));
  }
}
