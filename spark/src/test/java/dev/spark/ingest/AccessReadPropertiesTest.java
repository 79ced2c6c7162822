package dev.spark.ingest;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import dev.spark.event.ValidationException;
import dev.spark.support.HostileJson;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * {@link IngestValidator#checkedAccess} reads an entry's fields in one pass ({@link AccessFields#read})
 * and bounds the nesting of {@code input} alone: the same rows, the same ignored-field names and the
 * same refusals (field and message) as the look-up per field on the depth-limited document it
 * replaced, kept here as the reference. Entries come from {@link HostileJson#accessLogs()}, with the
 * original's spellings beside Spark's (agreeing or not), unknown fields (some nested past the bound),
 * fields in any order, and values as a same-JVM sender may put them (plain maps and lists, instants,
 * enums, bytes).
 */
class AccessReadPropertiesTest {
  private final IngestValidator validator = new IngestValidator("test", new Redactor(Redactor.DEFAULT_PATTERNS));
  private final Redactor redactor = new Redactor(Redactor.DEFAULT_PATTERNS);

  @Property(tries = 3000)
  void theOnePassReadAnswersAsTheLookUpPerField(@ForAll("entries") JsonObject entry) {
    Object expected;
    try {
      expected = reference(entry, "[0].");
    } catch (ValidationException e) {
      expected = e;
    }
    Object actual;
    try {
      actual = validator.checkedAccess(entry, "[0].");
    } catch (ValidationException e) {
      actual = e;
    }
    if (expected instanceof ValidationException want) {
      ValidationException got = assertInstanceOfValidation(actual, entry);
      assertEquals(want.field(), got.field());
      assertEquals(want.getMessage(), got.getMessage());
      return;
    }
    IngestValidator.CheckedAccess want = (IngestValidator.CheckedAccess) expected;
    IngestValidator.CheckedAccess got = (IngestValidator.CheckedAccess) actual;
    assertEquals(want.ignoredFields(), got.ignoredFields());
    assertEquals(want.ignoredCount(), got.ignoredCount());
    AccessRow w = want.row();
    AccessRow g = got.row();
    // Without a timestamp each call stamps its own "now".
    if (entry.getValue("timestamp") == null) g = withTimestamp(g, w.timestamp());
    assertEquals(w, g);
  }

  private static ValidationException assertInstanceOfValidation(Object actual, JsonObject entry) {
    assertNotNull(actual);
    if (actual instanceof ValidationException e) return e;
    throw new AssertionError("the reference refused, the one-pass read accepted: " + abbreviated(entry));
  }

  private static String abbreviated(JsonObject entry) {
    String s = String.valueOf(entry.getMap().keySet());
    return s.length() > 300 ? s.substring(0, 300) : s;
  }

  private static AccessRow withTimestamp(AccessRow r, String timestamp) {
    return new AccessRow(timestamp, r.method(), r.path(), r.status(), r.durationMs(), r.ip(), r.feature(), r.requestId(), r.input(),
        r.error(), r.userAgent());
  }

  private enum Colour { RED }

  @Provide
  Arbitrary<JsonObject> entries() {
    Arbitrary<Object> odd = Arbitraries.of(
        Instant.parse("2026-11-24T10:00:00.123Z"), Colour.RED, new byte[] {1, 2, 3}, new ArrayList<>(List.of("a", 1)),
        new LinkedHashMap<>(Map.of("message", "boom")), new LinkedHashMap<>(Map.of("password", "x", "n", 1)));
    Arbitrary<Object> anyValue = Arbitraries.frequencyOf(Tuple.of(4, HostileJson.values(2)), Tuple.of(1, odd));
    Arbitrary<String> snake = Arbitraries.of("duration_ms", "request_id", "user_agent");
    Arbitrary<Optional<Tuple.Tuple2<String, Object>>> extraSnake = Combinators.combine(snake, anyValue).as(Tuple::of)
        .optional(0.5);
    Arbitrary<List<Tuple.Tuple2<String, Object>>> unknown = Combinators.combine(HostileJson.keys(), anyValue).as(Tuple::of)
        .list().ofMaxSize(40);
    Arbitrary<Optional<Object>> deepUnknown = HostileJson.deep().optional(0.1);
    Arbitrary<Optional<String>> sameAsCamel = Arbitraries.of("durationMs", "requestId", "userAgent").optional(0.3);
    Arbitrary<Optional<Tuple.Tuple2<String, Object>>> oddKnown = Combinators.combine(
        Arbitraries.of("timestamp", "input", "error", "ip", "method", "path", "status"), odd).as(Tuple::of).optional(0.15);
    return Combinators.combine(HostileJson.accessLogs(), extraSnake, unknown, deepUnknown, sameAsCamel, oddKnown,
        Arbitraries.longs()).as((doc, sn, unk, deep, same, oddField, seed) -> {
          List<Map.Entry<String, Object>> fields = new ArrayList<>(doc.getMap().entrySet());
          sn.ifPresent(t -> fields.add(Map.entry(t.get1(), t.get2() == null ? "null" : t.get2())));
          same.ifPresent(camel -> {
            Object v = doc.getValue(camel);
            if (v != null) fields.add(Map.entry(snakeOf(camel), v));
          });
          for (Tuple.Tuple2<String, Object> t : unk) fields.add(Map.entry(t.get1(), t.get2() == null ? 0 : t.get2()));
          deep.ifPresent(d -> fields.add(Map.entry("nestedUnknown", d)));
          oddField.ifPresent(t -> fields.add(Map.entry(t.get1(), t.get2())));
          Collections.shuffle(fields, new Random(seed));
          Map<String, Object> map = new LinkedHashMap<>();
          for (Map.Entry<String, Object> f : fields) map.put(f.getKey(), f.getValue());
          return new JsonObject(map);
        });
  }

  private static String snakeOf(String camel) {
    return switch (camel) {
      case "durationMs" -> "duration_ms";
      case "requestId" -> "request_id";
      default -> "user_agent";
    };
  }

  // ---- the reference: checkedAccess before the one-pass read (commit 3ad8313) ----------------------

  private IngestValidator.CheckedAccess reference(JsonObject original, String at) {
    JsonObject in = JsonDepth.limit(original, JsonDepth.MAX_DEPTH);
    List<String> names = new ArrayList<>();
    int count = 0;
    for (String key : in.fieldNames()) {
      if (AccessFields.known(key)) continue;
      count++;
      if (names.size() < AccessFields.MAX_LISTED) names.add(key.length() > 64 ? key.substring(0, 64) + "…" : key);
    }
    String method = requiredString(in, "method", at).trim().toUpperCase(Locale.ROOT);
    if (method.isEmpty() || method.length() > 32) throw new ValidationException(at + "method", "method must be an HTTP method name");
    String path = requiredString(in, "path", at);
    Integer status = optionalStatus(in, "status", at);
    if (status == null) throw new ValidationException(at + "status", "status is required");
    Double duration = duration(either(in, "durationMs", "duration_ms", at), at);
    Object rawInput = in.getValue("input");
    String input = rawInput == null ? null : cappedInput(redactor.redactValue(rawInput));
    AccessRow row = new AccessRow(timestamp(in, at), method, capped(path, 8 * 1024), status, duration,
        capped(optionalString(in, "ip", at), 256), capped(optionalString(in, "feature", at), 8 * 1024),
        id(either(in, "requestId", "request_id", at), "requestId", at), input,
        capped(errorText(in, at), IngestValidator.TEXT_CAP_BYTES),
        capped(string(either(in, "userAgent", "user_agent", at), "userAgent", at), IngestValidator.USER_AGENT_CAP_BYTES));
    return new IngestValidator.CheckedAccess(row, List.copyOf(names), count);
  }

  private static Object either(JsonObject in, String camel, String snake, String at) {
    Object a = in.getValue(camel);
    Object b = in.getValue(snake);
    if (a == null) return b;
    if (b == null || (a instanceof Number x && b instanceof Number y ? x.doubleValue() == y.doubleValue() : a.equals(b))) return a;
    throw new ValidationException(at + camel, camel + " and " + snake + " are the same field (Spark's and the original's "
        + "spelling) and were sent with different values; send one of them");
  }

  private static String cappedInput(Object value) {
    if (value instanceof JsonObject obj) return JsonCapper.cap(obj, IngestValidator.TEXT_CAP_BYTES).json();
    JsonCapper.Capped capped = JsonCapper.cap(new JsonObject().put("input", value), IngestValidator.TEXT_CAP_BYTES);
    Object inner = capped.truncated() ? new JsonObject(capped.json()).getValue("input") : value;
    return Json.encode(inner);
  }

  private static String errorText(JsonObject in, String at) {
    Object e = in.getValue("error");
    if (e == null) return null;
    if (e instanceof String s) return s;
    if (e instanceof JsonObject o && o.getValue("message") instanceof String m) return m;
    throw new ValidationException(at + "error", "error must be a string (or an object with a message)");
  }

  private static String requiredString(JsonObject in, String key, String at) {
    String s = optionalString(in, key, at);
    if (s == null || s.isBlank()) throw new ValidationException(at + key, key + " is required");
    return s;
  }

  private static String optionalString(JsonObject in, String key, String at) {
    return string(in.getValue(key), key, at);
  }

  private static String string(Object v, String key, String at) {
    if (v == null || v instanceof String) return (String) v;
    throw new ValidationException(at + key, key + " must be a string");
  }

  private static String id(Object v, String key, String at) {
    String s = string(v, key, at);
    if (s == null || s.isBlank()) return null;
    if (s.length() > 256) throw new ValidationException(at + key, key + " must be at most 256 characters");
    return s;
  }

  private static Integer optionalStatus(JsonObject in, String key, String at) {
    Object v = in.getValue(key);
    if (v == null) return null;
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.doubleValue() >= 100 && n.doubleValue() <= 599) {
      return n.intValue();
    }
    throw new ValidationException(at + key, key + " must be an integer HTTP status from 100 to 599");
  }

  private static Double duration(Object v, String at) {
    if (v == null) return null;
    if (v instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < 1e12) return n.doubleValue();
    throw new ValidationException(at + "durationMs", "durationMs must be a number of milliseconds, 0 or more (fractions kept)");
  }

  private static final Instant MIN_TIME = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999Z");

  private static String timestamp(JsonObject in, String at) {
    Object v = in.getValue("timestamp");
    if (v == null) return Timestamps.now();
    Instant parsed = v instanceof String s ? Timestamps.parse(s)
        : v instanceof Number n && n.doubleValue() >= MIN_TIME.toEpochMilli() && n.doubleValue() <= MAX_TIME.toEpochMilli()
            ? Instant.ofEpochMilli(n.longValue()) : null;
    if (parsed == null || parsed.isBefore(MIN_TIME) || parsed.isAfter(MAX_TIME)) {
      throw new ValidationException(at + "timestamp", "timestamp must be an ISO-8601 date-time with a zone, e.g. 2026-02-15T23:50:00.000Z,"
          + " or epoch milliseconds, in the years 0000 to 9999");
    }
    return Timestamps.format(parsed);
  }

  private static String capped(String s, int bytes) {
    return s == null ? null : JsonCapper.capString(s, bytes);
  }
}
