package dev.spark.ingest;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.EventType;
import dev.spark.event.StoredEvent;
import dev.spark.event.ValidationException;
import dev.spark.support.HostileJson;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 5, at the unit level: whatever document reaches the validator (over HTTP it was
 * parsed by Jackson; over the event bus it was never parsed, so it may nest without bound), the
 * answer is a {@link ValidationException} naming a field, or a row whose JSON parses, fits its cap,
 * and can itself be served (wrapped once more by the query API and the stream). Nothing else.
 */
class HostileInputPropertiesTest {
  private static final Pattern STORED_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  private final IngestValidator validator = new IngestValidator("test", new Redactor(Redactor.DEFAULT_PATTERNS));

  @Provide
  Arbitrary<Object> eventDocs() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, HostileJson.events().map(o -> (Object) o)),
        net.jqwik.api.Tuple.of(1, HostileJson.values(3)));
  }

  @Provide
  Arbitrary<Object> accessDocs() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, HostileJson.accessLogs().map(o -> (Object) o)),
        net.jqwik.api.Tuple.of(1, HostileJson.values(3)));
  }

  @Property(tries = 1500)
  void anEventIsRefusedByNameOrStoredAsServableJson(@ForAll("eventDocs") Object doc) {
    EventRow row;
    try {
      row = validator.event(doc, "");
    } catch (ValidationException refused) {
      assertNotNull(refused.getMessage());
      return;
    }
    JsonObject data = assertParsesWithin(row.data(), JsonCapper.DEFAULT_MAX_BYTES);
    assertTrue(EventType.fromWire(row.type()).isPresent(), row.type());
    assertEquals(row.type(), data.getString("type"));
    assertTrue(STORED_TIME.matcher(row.timestamp()).matches(), row.timestamp());
    assertNotNull(row.traceId());
    assertTrue(row.status() == null || (row.status() >= 100 && row.status() <= 599), String.valueOf(row.status()));
    assertFalse(JsonDepth.deeperThan(data, JsonDepth.MAX_DEPTH), "nesting is bounded");
    // what the query API and the stream send: the event wrapped once more
    // (compared by keys: a number past double range, 1E+400, is stored as written but served as "Infinity")
    String served = new StoredEvent(1, row, false, null).encode();
    assertEquals(data.fieldNames(), new JsonObject(served).getJsonObject("data").fieldNames());
  }

  @Property(tries = 1500)
  void anAccessLogIsRefusedByNameOrStoredAsParseableJson(@ForAll("accessDocs") Object doc) {
    AccessRow row;
    try {
      row = validator.access(doc, "");
    } catch (ValidationException refused) {
      assertNotNull(refused.getMessage());
      return;
    }
    if (row.input() != null) {
      Object input = Json.decodeValue(row.input());
      assertTrue(bytes(row.input()) <= IngestValidator.TEXT_CAP_BYTES);
      assertFalse(JsonDepth.deeperThan(input, JsonDepth.MAX_DEPTH));
      assertNotNull(Json.encode(new JsonObject().put("access", new JsonArray().add(new JsonObject().put("input", input)))));
    }
    assertTrue(row.error() == null || bytes(row.error()) <= IngestValidator.TEXT_CAP_BYTES);
    assertTrue(row.userAgent() == null || bytes(row.userAgent()) <= IngestValidator.USER_AGENT_CAP_BYTES);
    assertTrue(STORED_TIME.matcher(row.timestamp()).matches(), row.timestamp());
    assertTrue(row.status() >= 100 && row.status() <= 599);
    assertTrue(row.durationMs() == null || row.durationMs() >= 0);
  }

  @Property(tries = 500)
  void theCapperAlwaysGivesParseableJsonWithinTheBudget(@ForAll("cappable") JsonObject in, @ForAll @IntRange(min = 18, max = 70_000) int maxBytes) {
    JsonCapper.Capped capped = JsonCapper.cap(in, maxBytes);
    JsonObject out = assertParsesWithin(capped.json(), maxBytes);
    if (capped.truncated()) assertEquals(Boolean.TRUE, out.getValue("truncated"));
    else assertEquals(in.encode(), capped.json());
  }

  @Provide
  Arbitrary<JsonObject> cappable() {
    return HostileJson.objects(4);
  }

  @Example
  void nestingIsCutAtTheLimitAndTheEventKept() {
    for (int depth : new int[] {JsonDepth.MAX_DEPTH - 2, JsonDepth.MAX_DEPTH - 1, JsonDepth.MAX_DEPTH, 999, 1_000, 100_000}) {
      JsonObject doc = new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", "deep " + depth))
          .put("request", HostileJson.nested(depth, "bottom"));
      EventRow row = validator.event(doc, "");
      JsonObject data = new JsonObject(row.data());
      boolean cut = depth + 1 > JsonDepth.MAX_DEPTH;
      assertEquals(cut, row.data().contains(JsonDepth.marker(JsonDepth.MAX_DEPTH)), "depth " + depth);
      assertEquals(cut, data.getBoolean("truncated", false), "depth " + depth);
      assertEquals(cut, !row.data().contains("bottom"), "depth " + depth);
      assertEquals("deep " + depth, data.getJsonObject("error").getString("message"));
      assertNotNull(new StoredEvent(1, row, false, null).encode());
    }
  }

  @Example
  void outOfRangeNumbersAreRefusedRatherThanWrappedAround() {
    String[] refusedStatus = {"18446744073709551816", "1e400", "-1e400", "599.5", "200.0000000001e0"};
    for (String n : refusedStatus) {
      Object doc = Json.decodeValue("{\"type\":\"rate-limit\",\"status\":" + n + "}");
      assertEquals("status", field(() -> validator.event(doc, "")), n);
    }
    String[] refusedTime = {"1e400", "-1e400", "123456789012345678901234567", "253402300800000", "-62167219200001",
        "\"+10000-01-01T00:00:00Z\"", "\"-0001-01-01T00:00:00Z\""};
    for (String n : refusedTime) {
      Object doc = Json.decodeValue("{\"type\":\"rate-limit\",\"timestamp\":" + n + "}");
      assertEquals("timestamp", field(() -> validator.event(doc, "")), n);
    }
    assertEquals("0000-01-01T00:00:00.000Z", validator.event(Json.decodeValue("{\"type\":\"rate-limit\",\"timestamp\":\"0000-01-01T00:00:00Z\"}"), "").timestamp());
    assertEquals("9999-12-31T23:59:59.999Z", validator.event(Json.decodeValue("{\"type\":\"rate-limit\",\"timestamp\":253402300799999}"), "").timestamp());
    assertEquals(200, validator.event(Json.decodeValue("{\"type\":\"rate-limit\",\"status\":200.0}"), "").status());
  }

  private static String field(Runnable call) {
    try {
      call.run();
    } catch (ValidationException e) {
      return e.field();
    }
    throw new AssertionError("expected a ValidationException");
  }

  private static JsonObject assertParsesWithin(String json, int maxBytes) {
    assertTrue(bytes(json) <= maxBytes, bytes(json) + " bytes > " + maxBytes);
    return new JsonObject(json);
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
