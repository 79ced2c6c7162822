package dev.spark.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * jqwik generators of hostile ingest input: random JSON values, event- and access-shaped documents
 * whose fields are missing, mistyped or out of range, deep nesting, huge strings, every char
 * (lone surrogates and control characters included), and raw bodies that are not JSON at all
 * (invalid UTF-8, numbers too long to parse, duplicate keys, nesting past the parser's limit).
 */
public final class HostileJson {
  private HostileJson() {}

  public static final List<String> TYPES = List.of("server-error", "unhandled-error", "rate-limit", "process-error");

  /** Any char at all: lone surrogates, NUL and other controls, quotes, backslashes. */
  public static Arbitrary<String> anyString(int maxLength) {
    return Arbitraries.strings().all().ofMaxLength(maxLength);
  }

  /** Mostly short strings of any char, sometimes far past the 64 KB cap. */
  public static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(20, anyString(40)),
        Tuple.of(3, Arbitraries.strings().withCharRange('a', 'z').ofMinLength(100).ofMaxLength(3_000)),
        Tuple.of(1, Arbitraries.integers().between(60_000, 200_000).map(n -> "é€😀x".repeat(n / 4))),
        Tuple.of(1, Arbitraries.of("", " ", "null", "\u0000", "\ud800", "\udfff", "\ud83d\ude00", "\\", "\"", "…[truncated 3 chars]")));
  }

  /** Numbers of every kind Jackson can hand over: ints, longs, doubles (huge, tiny, negative zero), BigInteger, BigDecimal. */
  public static Arbitrary<Object> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(0.0, -0.0, 1e-320, 1.7976931348623157E308, -1.7976931348623157E308, 599.0000001, 99.999, 1e12, 253402300800000.0)
            .map(d -> (Object) d),
        Arbitraries.bigIntegers().between(BigInteger.TWO.pow(200).negate(), BigInteger.TWO.pow(200)).map(b -> (Object) b),
        Arbitraries.of(BigInteger.TWO.pow(64).add(BigInteger.valueOf(200)), new BigInteger("9".repeat(300)),
            new BigDecimal("1e-400"), new BigDecimal("200.0000000000000000001"), new BigDecimal("1E+400")).map(b -> (Object) b));
  }

  public static Arbitrary<Object> scalars() {
    return Arbitraries.frequencyOf(
        Tuple.of(1, Arbitraries.just(null)),
        Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
        Tuple.of(3, numbers()),
        Tuple.of(4, strings().map(s -> (Object) s)));
  }

  /** Keys that matter to Spark (field names, sensitive names) and arbitrary ones. */
  public static Arbitrary<String> keys() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.of("type", "error", "message", "stack", "status", "timestamp", "traceId", "feature", "route",
            "environment", "request", "input", "password", "api_key", "Authorization", "truncated", "…", "method", "path",
            "durationMs", "requestId", "userAgent", "ip")),
        Tuple.of(3, anyString(12)));
  }

  /** A JSON value up to {@code depth} levels of containers. */
  public static Arbitrary<Object> values(int depth) {
    return Arbitraries.recursive(HostileJson::scalars, inner -> Arbitraries.frequencyOf(
        Tuple.of(2, scalars()),
        Tuple.of(1, inner.list().ofMaxSize(6).map(l -> (Object) new JsonArray(new ArrayList<>(l)))),
        Tuple.of(1, Arbitraries.maps(keys(), inner).ofMaxSize(6).map(m -> (Object) new JsonObject(new LinkedHashMap<>(m))))),
        0, depth);
  }

  public static Arbitrary<JsonObject> objects(int depth) {
    return Arbitraries.maps(keys(), values(Math.max(0, depth - 1))).ofMaxSize(6).map(m -> new JsonObject(new LinkedHashMap<>(m)));
  }

  /** Containers nested {@code depth} levels, alternating objects and arrays, with a value at the bottom. Built without recursion. */
  public static Object nested(int depth, Object leaf) {
    Object v = leaf;
    for (int i = 0; i < depth; i++) v = i % 2 == 0 ? new JsonArray().add(v) : new JsonObject().put("k", v);
    return v;
  }

  public static Arbitrary<Object> deep() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.integers().between(50, 1_100)),
        Tuple.of(1, Arbitraries.integers().between(1_100, 20_000))).map(d -> nested(d, "bottom"));
  }

  /** A field's value: mostly of the right type (maybe out of range), sometimes absent, sometimes anything at all. */
  private static Arbitrary<Optional<Object>> field(Arbitrary<Object> right) {
    return Arbitraries.frequencyOf(
        Tuple.of(2, Arbitraries.just(Optional.empty())),
        Tuple.of(12, right.map(Optional::ofNullable)),
        Tuple.of(1, values(1).map(Optional::ofNullable)));
  }

  private static Arbitrary<Object> timestamps() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.longs().between(0, 4_000_000_000_000L).map(l -> (Object) l)),
        Tuple.of(4, Arbitraries.longs().between(0, 4_000_000_000_000L).map(l -> (Object) java.time.Instant.ofEpochMilli(l)
            .atOffset(java.time.ZoneOffset.ofHours((int) (l % 13))).toString())),
        Tuple.of(3, rareTimestamps()));
  }

  private static Arbitrary<Object> rareTimestamps() {
    return Arbitraries.oneOf(
        Arbitraries.of("2026-02-15T23:50:00.000Z", "2026-02-15T23:50:00+05:30", "+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z",
            "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "1700000000000", "999999999999999", "yesterday", "")
            .map(s -> (Object) s),
        Arbitraries.longs().between(-100_000_000_000_000L, 400_000_000_000_000L).map(l -> (Object) l),
        numbers());
  }

  private static Arbitrary<Object> statuses() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.integers().between(100, 599).map(i -> (Object) i)),
        Tuple.of(1, Arbitraries.integers().between(-1_000, 100_000).map(i -> (Object) i)),
        Tuple.of(1, numbers()));
  }

  /** Event-shaped documents: the fields Spark reads, each absent, right or wrong, plus random extra keys and deep inputs. */
  public static Arbitrary<JsonObject> events() {
    Arbitrary<Object> error = Arbitraries.oneOf(
        Combinators.combine(strings(), strings()).as((m, s) -> (Object) new JsonObject().put("message", m).put("stack", s)),
        objects(2).map(o -> (Object) o));
    Arbitrary<Object> input = Arbitraries.frequencyOf(Tuple.of(6, values(4)), Tuple.of(1, deep()));
    Arbitrary<Object> type = Arbitraries.of(TYPES).map(t -> (Object) t);
    Arbitrary<Object> status = statuses();
    Arbitrary<Object> text = strings().map(s -> (Object) s);
    List<Arbitrary<Optional<Object>>> fields = List.of(
        field(type).filter(Optional::isPresent), field(error), field(status), field(timestamps()), field(text), field(text), field(text),
        field(input.map(i -> (Object) new JsonObject().put("input", i).put("headers",
            new JsonObject().put("authorization", "Bearer secret").put("cookie", "sid=1")))));
    List<String> names = List.of("type", "error", "status", "timestamp", "traceId", "feature", "route", "request");
    return Combinators.combine(Combinators.combine(fields).as(l -> l), objects(2)).as((values, extra) -> {
      JsonObject doc = extra.copy();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        values.get(i).ifPresentOrElse(v -> doc.put(name, v), () -> doc.remove(name));
      }
      return doc;
    });
  }

  /** Access-log-shaped documents, the same way. */
  public static Arbitrary<JsonObject> accessLogs() {
    Arbitrary<Object> input = Arbitraries.frequencyOf(Tuple.of(6, values(4)), Tuple.of(1, deep()));
    Arbitrary<Object> text = strings().map(s -> (Object) s);
    List<Arbitrary<Optional<Object>>> fields = List.of(
        field(Arbitraries.of("GET", "POST", "get", " PATCH ", "X".repeat(40)).map(s -> (Object) s)).filter(Optional::isPresent),
        field(text).filter(Optional::isPresent),
        field(statuses()).filter(Optional::isPresent),
        field(Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.integers().between(0, 60_000).map(i -> (Object) i)), Tuple.of(1, numbers()))),
        field(timestamps()), field(input), field(Arbitraries.oneOf(text, objects(1).map(o -> (Object) o))),
        field(text), field(text), field(text), field(text));
    List<String> names = List.of("method", "path", "status", "durationMs", "timestamp", "input", "error", "ip", "feature",
        "requestId", "userAgent");
    return Combinators.combine(fields).as(values -> {
      JsonObject doc = new JsonObject();
      for (int i = 0; i < names.size(); i++) {
        String name = names.get(i);
        values.get(i).ifPresent(v -> doc.put(name, v));
      }
      return doc;
    });
  }

  // ---- raw bodies ----------------------------------------------------------------------------

  /** Byte sequences that are not valid UTF-8: stray continuation bytes, truncated and overlong sequences, encoded surrogates, 0xFF. */
  public static final List<byte[]> INVALID_UTF8 = List.of(
      new byte[] {(byte) 0x80}, new byte[] {(byte) 0xBF}, new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xC0, (byte) 0xAF},
      new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
      new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
      new byte[] {(byte) 0xFE}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xE2, (byte) 0x82});

  /** A valid document's bytes with invalid UTF-8 spliced in at a random place (often inside a string). */
  public static Arbitrary<byte[]> withInvalidUtf8(Arbitrary<JsonObject> docs) {
    return Combinators.combine(docs, Arbitraries.of(INVALID_UTF8), Arbitraries.doubles().between(0, 1)).as((doc, bad, where) -> {
      byte[] ok = doc.encode().getBytes(StandardCharsets.UTF_8);
      int at = (int) (where * ok.length);
      byte[] out = new byte[ok.length + bad.length];
      System.arraycopy(ok, 0, out, 0, at);
      System.arraycopy(bad, 0, out, at, bad.length);
      System.arraycopy(ok, at, out, at + bad.length, ok.length - at);
      return out;
    });
  }

  /** JSON text the encoder would never write: duplicate keys, escaped lone surrogates, numbers past any range, deep brackets. */
  public static Arbitrary<String> oddText() {
    Arbitrary<String> type = Arbitraries.of(TYPES);
    Arbitrary<Integer> depth = Arbitraries.integers().between(990, 1_010);
    Arbitrary<Integer> digits = Arbitraries.integers().between(15, 1_200);
    return Arbitraries.oneOf(
        type.map(t -> "{\"type\":\"" + t + "\",\"type\":\"rate-limit\",\"error\":{\"message\":\"a\",\"message\":7},\"status\":500,\"status\":\"x\"}"),
        type.map(t -> "{\"type\":\"" + t + "\",\"error\":{\"message\":\"\\ud800 \\udc00 \\u0000 \\ud83d\\ude00\"},\"route\":\"\\udfff\"}"),
        Combinators.combine(type, digits).as((t, n) -> "{\"type\":\"" + t + "\",\"error\":{\"message\":\"m\"},\"status\":" + "9".repeat(n)
            + ",\"n\":-" + "1".repeat(n) + ".5e99999}"),
        Combinators.combine(type, digits).as((t, n) -> "{\"type\":\"" + t + "\",\"error\":{\"message\":\"m\"},\"timestamp\":1" + "0".repeat(n) + "}"),
        Combinators.combine(type, depth).as((t, d) -> "{\"type\":\"" + t + "\",\"error\":{\"message\":\"m\"},\"request\":"
            + "[".repeat(d) + "]".repeat(d) + "}"),
        Combinators.combine(type, depth).as((t, d) -> "{\"type\":\"" + t + "\",\"error\":{\"message\":\"m\"},\"request\":"
            + "{\"a\":".repeat(d) + "1" + "}".repeat(d) + "}"),
        depth.map(d -> "{\"method\":\"GET\",\"path\":\"/\",\"status\":200,\"input\":" + "[".repeat(d) + "]".repeat(d) + "}"),
        Arbitraries.of("", " ", "null", "[]", "[[]]", "{}", "\"x\"", "{\"type\":", "[{\"type\":\"rate-limit\"},]", "{'type':'rate-limit'}",
            "{\"type\":\"rate-limit\"}garbage", "\uFEFF{\"type\":\"rate-limit\"}", "NaN", "{\"type\":\"rate-limit\",\"limit\":NaN}"));
  }

  /** Bytes with no structure at all. */
  public static Arbitrary<byte[]> garbage() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
  }
}
