package dev.spark.ingest;

import dev.spark.event.AccessRow;
import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.support.HostileJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * {@link AccessJson} reads an access-log body from its text, without Vert.x's tree: for any body, the
 * same stored rows, ignored-field names and refusals (field and message, or the parser's message) as
 * the tree parse and {@link AccessFields#read}, which are kept as the reference here. Bodies are
 * {@link HostileJson#accessLogs()} entries, one or a batch, written as text and then changed as a client
 * might send them: names sent twice (known and unknown), comments, other items in the array, an empty
 * array, trailing text, cut short; and split into chunks as they may arrive.
 */
class AccessJsonPropertiesTest {
  private final IngestValidator validator = new IngestValidator("test", new Redactor(Redactor.DEFAULT_PATTERNS));

  @Property(tries = 2000)
  void theTextReadStoresWhatTheTreeParseStores(@ForAll("bodies") String body, @ForAll("seeds") long seed) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String want = outcome(() -> InputText.parseJson(Buffer.buffer(bytes)));
    String got = outcome(() -> InputText.parseJson(chunks(bytes, new Random(seed)), bytes.length, AccessJson.READER));
    assertEquals(want, got, () -> "body: " + (body.length() > 400 ? body.substring(0, 400) + "…" : body));
  }

  @Example
  void aPlainBatchIsReadWithoutTheTree() {
    String body = "[{\"method\":\"GET\",\"path\":\"/a/1\",\"status\":200,\"durationMs\":3.5,\"input\":{\"q\":[1,2]}},"
        + " /* a comment */ {\"method\":\"POST\",\"path\":\"/b\",\"status\":500,\"extra\":1,\"extra\":2}]";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    Object read = InputText.parseJson(List.of(Buffer.buffer(bytes)), bytes.length, AccessJson.READER);
    AccessJson.Entries entries = assertInstanceOf(AccessJson.Entries.class, read);
    assertEquals(2, entries.size());
    assertEquals(outcome(() -> InputText.parseJson(Buffer.buffer(bytes))), outcome(() -> read));
  }

  @Example
  void aSingleObjectIsReadWithoutTheTree() {
    byte[] bytes = "{\"method\":\"GET\",\"path\":\"/\",\"status\":204}".getBytes(StandardCharsets.UTF_8);
    Object read = InputText.parseJson(List.of(Buffer.buffer(bytes)), bytes.length, AccessJson.READER);
    assertEquals(false, assertInstanceOf(AccessJson.Entries.class, read).batch);
  }

  /** What Ingestor makes of a parsed body: the rows and ignored names, or the refusal; a stamped "now" left out. */
  private String outcome(java.util.function.Supplier<Object> parse) {
    Object parsed;
    try {
      parsed = parse.get();
    } catch (DecodeException e) {
      return "not JSON: " + e.getMessage();
    } catch (ValidationException e) {
      return "refused " + e.field() + ": " + e.getMessage();
    }
    List<Object> items = new ArrayList<>();
    boolean batch;
    if (parsed instanceof AccessJson.Entries e) {
      items.addAll(e.items);
      batch = e.batch;
    } else if (parsed instanceof JsonArray a) {
      items.addAll(a.getList());
      batch = true;
    } else if (parsed instanceof JsonObject o) {
      items.add(o);
      batch = false;
    } else {
      return "neither object nor array: " + parsed;
    }
    if (batch && items.isEmpty()) return "empty batch";
    StringBuilder out = new StringBuilder(batch ? "batch" : "one");
    try {
      for (int i = 0; i < items.size(); i++) {
        IngestValidator.CheckedAccess c = validator.checkedAccess(items.get(i), batch ? "[" + i + "]." : "");
        AccessRow r = c.row();
        boolean stamped = !(items.get(i) instanceof AccessFields.Entry e ? e.timestamp != null
            : new JsonObject(castMap(items.get(i))).getValue("timestamp") != null);
        out.append('\n').append(stamped ? "(now)" : r.timestamp()).append(' ').append(r.method()).append(' ').append(r.path())
            .append(' ').append(r.status()).append(' ').append(r.durationMs()).append(' ').append(r.ip()).append(' ')
            .append(r.feature()).append(' ').append(r.requestId()).append(' ').append(r.input()).append(' ').append(r.error())
            .append(' ').append(r.userAgent()).append(" ignored ").append(c.ignoredFields()).append(' ').append(c.ignoredCount());
      }
    } catch (ValidationException e) {
      return "refused " + e.field() + ": " + e.getMessage();
    }
    return out.toString();
  }

  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> castMap(Object o) {
    return o instanceof JsonObject j ? j.getMap() : (java.util.Map<String, Object>) o;
  }

  private static List<Buffer> chunks(byte[] bytes, Random random) {
    List<Buffer> out = new ArrayList<>();
    int at = 0;
    while (at < bytes.length) {
      int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 8 : 4096));
      out.add(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, at, at + n)));
      at += n;
    }
    return out;
  }

  @Provide
  Arbitrary<Long> seeds() {
    return Arbitraries.longs();
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<List<String>> entries = HostileJson.accessLogs().map(AccessJsonPropertiesTest::encodable).list().ofMinSize(1).ofMaxSize(5);
    Arbitrary<Integer> change = Arbitraries.frequency(
        net.jqwik.api.Tuple.of(10, 0), net.jqwik.api.Tuple.of(2, 1), net.jqwik.api.Tuple.of(2, 2), net.jqwik.api.Tuple.of(1, 3),
        net.jqwik.api.Tuple.of(1, 4), net.jqwik.api.Tuple.of(1, 5), net.jqwik.api.Tuple.of(1, 6), net.jqwik.api.Tuple.of(1, 7),
        net.jqwik.api.Tuple.of(1, 8), net.jqwik.api.Tuple.of(2, 9), net.jqwik.api.Tuple.of(1, 10));
    return Combinators.combine(entries, change, Arbitraries.longs()).as((list, how, seed) -> {
      Random random = new Random(seed);
      List<String> texts = new ArrayList<>(list);
      switch (how) {
        case 1 -> texts.set(0, "{\"path\":\"/earlier\",\"status\":\"first\"," + texts.get(0).substring(1)); // known names twice
        case 2 -> texts.set(texts.size() - 1, withExtra(texts.get(texts.size() - 1), "\"x-unknown\":1,\"x-unknown\":[2],\"other\":{}"));
        case 3 -> texts.add(random.nextInt(texts.size() + 1), random.nextBoolean() ? "1" : "\"text\"");
        case 4 -> texts.clear();
        case 10 -> { // nested around the parser's depth bound, written as text (the encoder stops at it)
          int depth = List.of(990, 998, 999, 1000, 1001, 5000).get(random.nextInt(6));
          texts.set(0, withExtra(texts.get(0), "\"input\":" + "[".repeat(depth) + "]".repeat(depth)));
        }
        default -> { }
      }
      String body = list.size() == 1 && how == 0 && random.nextBoolean() ? texts.get(0) : "[" + String.join(",", texts) + "]";
      return switch (how) {
        case 5 -> "/* sent by a test */ " + body.replace(",\"", ", // note\n\"");
        case 6 -> body + (random.nextBoolean() ? " x" : "{}");
        case 7 -> body.substring(0, random.nextInt(body.length()));
        case 8 -> body.replace("\"status\"", "\"st\\u0061tus\"");
        default -> body;
      };
    });
  }

  /** The entry as text; one nested past what Jackson writes loses its deepest field (case 10 sends depth as text). */
  private static String encodable(JsonObject entry) {
    try {
      return entry.encode();
    } catch (io.vertx.core.json.EncodeException e) {
      JsonObject copy = new JsonObject(new java.util.LinkedHashMap<>(entry.getMap()));
      copy.remove("input");
      copy.remove("error");
      return encodable(copy);
    }
  }

  private static String withExtra(String object, String fields) {
    return object.equals("{}") ? "{" + fields + "}" : object.substring(0, object.length() - 1) + "," + fields + "}";
  }
}
