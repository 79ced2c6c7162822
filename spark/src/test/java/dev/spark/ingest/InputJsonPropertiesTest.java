package dev.spark.ingest;

import dev.spark.support.HostileJson;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link InputJson} writes an access entry's input in one walk: wherever it gives a text, the text is
 * the one the steps it stands for give (depth bound, then redaction, then the cap), kept here as the
 * reference; it gives one for every input of plain JSON types that fits the cap, and none for the rest
 * (over the cap, keys that are not strings), which take the steps.
 */
class InputJsonPropertiesTest {
  private static final int CAP = IngestValidator.TEXT_CAP_BYTES;
  private final Redactor redactor = new Redactor(Redactor.DEFAULT_PATTERNS);
  private int walked;
  private int tries;

  @Property(tries = 3000)
  void oneWalkWritesWhatTheStepsWrite(@ForAll("inputs") Object input) {
    tries++;
    String actual = InputJson.encode(input, redactor, 2, JsonDepth.MAX_DEPTH, CAP);
    String expected;
    try {
      expected = reference(input);
    } catch (RuntimeException stepsFail) {
      // e.g. a key that is not a string: the steps fail, and the walk must leave the input to them
      assertNull(actual, () -> "the walk wrote an input the steps refuse (" + stepsFail + "): " + describe(input));
      return;
    }
    if (actual == null) {
      // Only what the walk leaves alone: too big for the cap, or a key that is not a string.
      assertTrue(JsonSize.utf8Length(Json.encode(plain(input))) + 10 > CAP || hasOddKey(input, 0),
          () -> "the walk gave up on an input that fits: " + describe(input));
      return;
    }
    walked++;
    assertEquals(expected, actual, () -> "input " + describe(input));
  }

  @AfterProperty
  void mostInputsAreWalked() {
    if (tries > 100) assertTrue(walked > tries / 2, "walked " + walked + " of " + tries);
  }

  @Test
  void cutsDeepInputWhereTheDepthBoundCutsIt() {
    Object deep = HostileJson.nested(200, new JsonObject().put("password", "hunter2").put("k", "v"));
    String actual = InputJson.encode(deep, redactor, 2, JsonDepth.MAX_DEPTH, CAP);
    assertNotNull(actual);
    assertEquals(reference(deep), actual);
    assertTrue(actual.contains(JsonDepth.marker(JsonDepth.MAX_DEPTH)));
  }

  @Test
  void redactsSensitiveKeysAtAnyDepth() {
    JsonObject in = new JsonObject().put("user", new JsonObject().put("apiKey", new JsonArray().add(1)).put("name", "a"))
        .put("Authorization", "Bearer x").put("token", null);
    String actual = InputJson.encode(in, redactor, 2, JsonDepth.MAX_DEPTH, CAP);
    assertEquals("{\"user\":{\"apiKey\":\"[REDACTED]\",\"name\":\"a\"},\"Authorization\":\"[REDACTED]\",\"token\":null}", actual);
    assertEquals(reference(in), actual);
  }

  @Test
  void leavesOverCapInputToTheCapper() {
    JsonObject big = new JsonObject().put("a", "x".repeat(CAP));
    assertNull(InputJson.encode(big, redactor, 2, JsonDepth.MAX_DEPTH, CAP));
    String justFits = "y".repeat(CAP - 2 - 10);
    assertEquals(reference(justFits), InputJson.encode(justFits, redactor, 2, JsonDepth.MAX_DEPTH, CAP));
    assertNull(InputJson.encode(justFits + "y", redactor, 2, JsonDepth.MAX_DEPTH, CAP));
  }

  /** The steps the walk stands for, as IngestValidator took them before it. */
  private String reference(Object value) {
    Object limited = JsonDepth.limitValue(value, 2, JsonDepth.MAX_DEPTH);
    Object redacted = redactor.redactValue(limited);
    if (redacted instanceof JsonObject obj) return JsonCapper.cap(obj, CAP).json();
    if (redacted instanceof Map<?, ?> m) return JsonCapper.cap(new JsonObject(cast(m)), CAP).json();
    JsonCapper.Capped capped = JsonCapper.cap(new JsonObject().put("input", redacted), CAP);
    Object inner = capped.truncated() ? new JsonObject(capped.json()).getValue("input") : redacted;
    return Json.encode(inner);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  @Provide
  Arbitrary<Object> inputs() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, HostileJson.values(5)),
        Tuple.of(2, HostileJson.deep()),
        Tuple.of(2, HostileJson.values(3).map(InputJsonPropertiesTest::plain)),
        Tuple.of(1, Arbitraries.of(Instant.parse("2026-12-07T07:00:00.123Z").truncatedTo(ChronoUnit.MILLIS), new byte[] {1, 2, 3},
            Thread.State.RUNNABLE).map(v -> (Object) new JsonObject().put("at", v).put("list", new JsonArray().add(v)))),
        Tuple.of(1, Arbitraries.integers().between(1, 3).map(InputJsonPropertiesTest::oddKeys)));
  }

  /** The same value as plain maps and lists, as a sender on the bus may put it. */
  private static Object plain(Object v) {
    if (v instanceof JsonObject o) {
      Map<String, Object> m = new LinkedHashMap<>();
      o.getMap().forEach((k, x) -> m.put(k, plain(x)));
      return m;
    }
    if (v instanceof JsonArray a) {
      List<Object> l = new ArrayList<>();
      for (Object x : a.getList()) l.add(plain(x));
      return l;
    }
    return v;
  }

  private static Object oddKeys(int kind) {
    Map<Object, Object> m = new HashMap<>();
    m.put(kind == 1 ? 42 : kind == 2 ? null : Thread.State.NEW, "v");
    return new JsonObject().put("inner", m);
  }

  private static boolean hasOddKey(Object v, int depth) {
    if (depth > 70) return false;
    Object c = v instanceof JsonObject o ? o.getMap() : v instanceof JsonArray a ? a.getList() : v;
    if (c instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String) || hasOddKey(e.getValue(), depth + 1)) return true;
      }
    } else if (c instanceof List<?> l) {
      for (Object x : l) if (hasOddKey(x, depth + 1)) return true;
    }
    return false;
  }

  private static String describe(Object input) {
    String s = String.valueOf(input);
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
