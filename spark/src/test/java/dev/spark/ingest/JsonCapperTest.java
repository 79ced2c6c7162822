package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static dev.spark.ingest.JsonCapper.DEFAULT_MAX_BYTES;
import static org.junit.jupiter.api.Assertions.*;

class JsonCapperTest {

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void assertNoLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        assertTrue(i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)), "lone high surrogate at " + i);
        i++;
      } else {
        assertFalse(Character.isLowSurrogate(c), "lone low surrogate at " + i);
      }
    }
  }

  /** Checks the size contract and returns the parsed result. */
  private static JsonObject assertCapped(JsonCapper.Capped capped, int maxBytes) {
    assertTrue(capped.truncated());
    assertTrue(bytes(capped.json()) <= maxBytes, "size " + bytes(capped.json()) + " > " + maxBytes);
    JsonObject parsed = new JsonObject(capped.json());
    assertEquals(Boolean.TRUE, parsed.getValue("truncated"));
    return parsed;
  }

  private static JsonObject event(Object input) {
    return new JsonObject()
      .put("type", "error")
      .put("message", "Something broke")
      .put("request", new JsonObject().put("method", "POST").put("input", input))
      .put("ts", 1_700_000_000_123L);
  }

  @Test
  void smallObjectIsReturnedUnchanged() {
    JsonObject in = event("hello");
    JsonCapper.Capped capped = JsonCapper.cap(in, DEFAULT_MAX_BYTES);
    assertFalse(capped.truncated());
    assertEquals(in.encode(), capped.json());
    assertFalse(new JsonObject(capped.json()).containsKey("truncated"));
  }

  @Test
  void objectExactlyAtTheLimitIsUnchanged() {
    JsonObject in = event("é".repeat(1000));
    int size = bytes(in.encode());
    assertFalse(JsonCapper.cap(in, size).truncated());
    assertTrue(JsonCapper.cap(in, size - 1).truncated());
  }

  @Test
  void longInputStringIsCutAndOtherFieldsKept() {
    String input = "x".repeat(70_000);
    JsonObject in = event(input);
    JsonObject before = in.copy();

    JsonCapper.Capped capped = JsonCapper.cap(in, DEFAULT_MAX_BYTES);
    JsonObject out = assertCapped(capped, 65_536);
    assertEquals("error", out.getString("type"));
    assertEquals("Something broke", out.getString("message"));
    assertEquals("POST", out.getJsonObject("request").getString("method"));
    assertEquals(1_700_000_000_123L, out.getLong("ts"));
    String cut = out.getJsonObject("request").getString("input");
    assertTrue(cut.startsWith("x".repeat(60_000)));
    assertTrue(cut.matches("x+…\\[truncated \\d+ chars]"), cut.substring(cut.length() - 40));
    int removed = Integer.parseInt(cut.replaceAll("\\D", ""));
    assertEquals(70_000, cut.indexOf('…') + removed, "marker counts the removed characters");
    // cut by the excess plus a little slack, not far more
    assertTrue(bytes(capped.json()) > 65_536 - 200, "over-cut to " + bytes(capped.json()));
    assertEquals(before, in, "input must not be mutated");
  }

  @Test
  void longestStringIsCutFirst() {
    String message = "m".repeat(3_000);
    String input = "i".repeat(20_000);
    JsonObject in = new JsonObject()
      .put("message", message)
      .put("request", new JsonObject().put("input", input))
      .put("error", new JsonObject().put("stack", "s".repeat(100_000)));
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals(message, out.getString("message"));
    assertEquals(input, out.getJsonObject("request").getString("input"));
    assertTrue(out.getJsonObject("error").getString("stack").contains("[truncated "));
  }

  @Test
  void multibyteContentStaysValid() {
    String unit = "😀漢字é\"\n\u0001a";
    String input = unit.repeat(20_000);
    for (int max : new int[] {DEFAULT_MAX_BYTES, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007}) {
      JsonCapper.Capped capped = JsonCapper.cap(event(input), max);
      JsonObject out = assertCapped(capped, max);
      assertNoLoneSurrogate(capped.json());
      String cut = out.getJsonObject("request").getString("input");
      String kept = cut.substring(0, cut.lastIndexOf("…[truncated "));
      assertTrue(input.startsWith(kept), "kept part is a prefix of the original");
      assertFalse(kept.isEmpty());
      assertEquals("Something broke", out.getString("message"));
    }
  }

  @Test
  void hugeArrayOfNumbersIsShortened() {
    JsonArray values = new JsonArray();
    for (int i = 0; i < 100_000; i++) {
      values.add(i);
    }
    JsonObject in = new JsonObject().put("type", "metrics").put("values", values);
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals("metrics", out.getString("type"));
    JsonArray kept = out.getJsonArray("values");
    int n = kept.size() - 1;
    assertTrue(n > 5_000, "keeps as many items as fit, kept " + n);
    for (int i = 0; i < n; i++) {
      assertEquals(i, kept.getInteger(i));
    }
    String marker = kept.getString(n);
    assertEquals("…[" + (100_000 - n) + " more items truncated]", marker);
    assertEquals(100_000, in.getJsonArray("values").size(), "input must not be mutated");
  }

  @Test
  void manySmallKeysAreDropped() {
    JsonObject in = new JsonObject().put("type", "error").put("message", "keep me");
    for (int i = 0; i < 20_000; i++) {
      in.put(String.format("k%05d", i), i);
    }
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals("error", out.getString("type"));
    assertEquals("keep me", out.getString("message"));
    long keptKeys = out.fieldNames().stream().filter(k -> k.startsWith("k")).count();
    assertTrue(keptKeys > 1_000, "kept " + keptKeys);
    assertEquals(0, out.getInteger("k00000"));
    assertEquals("…[" + (20_000 - keptKeys) + " more keys truncated]", out.getString(JsonCapper.MARKER_KEY));
  }

  @Test
  void arrayOfObjectsWithMediumStrings() {
    JsonArray logs = new JsonArray();
    for (int i = 0; i < 300; i++) {
      logs.add(new JsonObject().put("i", i).put("line", "L".repeat(1_500)));
    }
    JsonObject in = new JsonObject().put("type", "log").put("logs", logs);
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    JsonArray kept = out.getJsonArray("logs");
    assertEquals(0, kept.getJsonObject(0).getInteger("i"));
    assertTrue(kept.getString(kept.size() - 1).endsWith("more items truncated]"));
    assertTrue(kept.size() > 30);
  }

  @Test
  void bigSiblingsAreCutWithoutLosingSmallFields() {
    JsonArray a = new JsonArray();
    JsonArray b = new JsonArray();
    for (int i = 0; i < 100_000; i++) {
      a.add(i);
      b.add(i);
    }
    JsonObject in = new JsonObject().put("a", a).put("b", b).put("type", "t");
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals("t", out.getString("type"));
    JsonArray kept = out.getJsonArray("a");
    assertTrue(kept.size() > 5_000, "a keeps " + kept.size());
    assertFalse(out.containsKey("b"));
    assertEquals("…[1 more keys truncated]", out.getString(JsonCapper.MARKER_KEY));
  }

  @Test
  void fewHugeElementsAreCutInsideRatherThanAllDropped() {
    JsonArray parts = new JsonArray();
    for (int p = 0; p < 3; p++) {
      JsonObject part = new JsonObject();
      for (int i = 0; i < 10_000; i++) {
        part.put("f" + i, "v" + i);
      }
      parts.add(part);
    }
    JsonObject in = new JsonObject().put("type", "batch").put("parts", parts);
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals("batch", out.getString("type"));
    JsonArray kept = out.getJsonArray("parts");
    assertEquals("…[2 more items truncated]", kept.getString(1));
    JsonObject first = kept.getJsonObject(0);
    assertEquals("v0", first.getString("f0"));
    assertTrue(first.size() > 1_000, "first part keeps " + first.size() + " fields");
  }

  @Test
  void lastResortKeepsTopLevelScalars() {
    // a 70,000-character key cannot be shortened and its object has nothing else to drop
    JsonObject in = new JsonObject()
      .put("type", "x")
      .put("count", 5)
      .put("weird", new JsonObject().put("k".repeat(70_000), 1));
    JsonObject out = assertCapped(JsonCapper.cap(in, DEFAULT_MAX_BYTES), DEFAULT_MAX_BYTES);
    assertEquals(new JsonObject().put("type", "x").put("count", 5).put("truncated", true), out);
  }

  @Test
  void tinyBudgets() {
    JsonObject in = event("y".repeat(5_000));
    assertEquals("{\"truncated\":true}", JsonCapper.cap(in, 18).json());
    assertCapped(JsonCapper.cap(in, 100), 100);
    assertThrows(IllegalArgumentException.class, () -> JsonCapper.cap(in, 17));
  }

  @Test
  void sizeEstimateMatchesEncoding() {
    JsonObject in = new JsonObject()
      .put("s", "plain \"quoted\" back\\slash \n\r\t\b\f \u0000\u001f\u007f / 😀 漢 é ☃")
      .put("i", -42).put("l", Long.MIN_VALUE).put("d", 3.14159e-12).put("f", 1.5f).put("big", new java.math.BigDecimal("1e+400"))
      .put("t", true).put("n", (Object) null).put("when", Instant.parse("2024-01-02T03:04:05.678Z"))
      .put("bytes", new byte[] {1, 2, 3}).put("nan", Double.NaN)
      .put("a", new JsonArray().add(1).add(new JsonArray()).add(new JsonObject()).add("ключ"))
      .put("o", new JsonObject().put("ключ \"k\"", new JsonArray().add(0.1)));
    assertEquals(bytes(in.encode()), JsonSize.size(in));
  }

  @Test
  void capStringLeavesShortStringsAlone() {
    String s = "short";
    assertSame(s, JsonCapper.capString(s, 1024));
    assertNull(JsonCapper.capString(null, 10));
  }

  @Test
  void capStringCutsPlainText() {
    String s = "a".repeat(5_000);
    String cut = JsonCapper.capString(s, 1024);
    assertTrue(bytes(cut) <= 1024);
    assertTrue(bytes(cut) > 1000);
    assertTrue(cut.startsWith("a".repeat(900)));
    assertTrue(cut.endsWith(" chars]"));
  }

  @Test
  void capStringNeverSplitsMultibyteCharacters() {
    String s = "😀漢字é".repeat(40);
    for (int max = 0; max <= 200; max++) {
      String cut = JsonCapper.capString(s, max);
      byte[] utf8 = cut.getBytes(StandardCharsets.UTF_8);
      assertTrue(utf8.length <= max, max + ": " + utf8.length);
      assertNoLoneSurrogate(cut);
      assertEquals(cut, new String(utf8, StandardCharsets.UTF_8), "round-trips through UTF-8");
      int marker = cut.indexOf("…[truncated");
      assertTrue(s.startsWith(marker >= 0 ? cut.substring(0, marker) : cut));
    }
  }
}
