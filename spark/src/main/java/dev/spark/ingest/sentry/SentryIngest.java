package dev.spark.ingest.sentry;

import dev.spark.ingest.Ingestor;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Sentry's two ingest endpoints, without HTTP: a body is decoded ({@link BodyDecoding}), framed
 * ({@link Envelope}), its key checked ({@link SentryKeys}), its {@code event} items mapped to
 * Spark events ({@link SentryEventMapper}) and its server {@code transaction}s to access rows
 * ({@link TransactionMapper}); every other item type is acknowledged and counted. All of that
 * happens before anything is stored ({@link #prepare}); then {@link #commit} hands the result to
 * the {@link Ingestor}, the path every event takes, and completes once the rows are committed.
 */
public final class SentryIngest {
  /** The most an envelope may decompress to. */
  public static final long MAX_ENVELOPE_BYTES = 20L * 1024 * 1024;
  /** The most one event (an event or transaction item, or a {@code /store/} body) may be, decompressed. */
  public static final long MAX_EVENT_BYTES = 1024L * 1024;
  /** Item types counted under their own name in the metrics; any other is counted as {@code other}. */
  private static final Set<String> KNOWN_TYPES = Set.of("event", "transaction", "session", "sessions", "client_report",
      "attachment", "check_in", "log", "span", "profile", "profile_chunk", "replay_event", "replay_recording",
      "replay_video", "user_report", "feedback", "statsd", "metric_meta", "otel_log");

  private final Ingestor ingestor;
  private final SentryKeys keys;
  private final SparkMetrics metrics;

  public SentryIngest(Ingestor ingestor, SentryKeys keys, SparkMetrics metrics) {
    this.ingestor = ingestor;
    this.keys = keys;
    this.metrics = metrics;
  }

  /** A request decoded, checked and mapped; nothing stored yet. {@code skipped}: item type to count. */
  public record Prepared(String id, JsonArray events, JsonArray access, Map<String, Integer> skipped) {}

  /**
   * {@code POST /api/<project>/envelope/}. {@code requestKey}: the key found in the request's
   * headers or query string, or null (then the envelope header's {@code dsn} must carry it).
   */
  public Prepared envelope(byte[] raw, String contentEncoding, int project, String requestKey) {
    if (requestKey != null) keys.check(requestKey);
    BodyDecoding.Decoded body = BodyDecoding.decode(raw, contentEncoding, MAX_ENVELOPE_BYTES, "one Sentry envelope");
    Envelope envelope = Envelope.parse(body.bytes(), body.length());
    if (requestKey == null) keys.check(SentryKeys.fromDsn(SentryExceptions.text(envelope.header().getValue("dsn"))));

    JsonArray events = new JsonArray();
    JsonArray access = new JsonArray();
    Map<String, Integer> skipped = new TreeMap<>();
    String id = SentryExceptions.text(envelope.header().getValue("event_id"));
    List<Envelope.Item> items = envelope.items();
    for (int i = 0; i < items.size(); i++) {
      Envelope.Item item = items.get(i);
      String type = item.type();
      if (type.equals("event") || type.equals("transaction")) {
        JsonObject payload = payload(item.body(), item.offset(), item.length(), "Item " + (i + 1) + " (" + type + ")");
        if (type.equals("event")) {
          events.add(SentryEventMapper.toSpark(payload, project));
          if (id == null) id = SentryExceptions.text(payload.getValue("event_id"));
          continue;
        }
        JsonObject row = TransactionMapper.toAccess(payload);
        if (row != null) {
          access.add(row);
          continue;
        }
      }
      skipped.merge(KNOWN_TYPES.contains(type) ? type : "other", 1, Integer::sum);
    }
    return new Prepared(id == null ? newId() : id, events, access, skipped);
  }

  /** {@code POST /api/<project>/store/}: one event as JSON (older SDKs, e.g. Debian's Python SDK 1.9). */
  public Prepared store(byte[] raw, String contentEncoding, int project, String requestKey) {
    keys.check(requestKey);
    BodyDecoding.Decoded body = BodyDecoding.decode(raw, contentEncoding, MAX_EVENT_BYTES, "one Sentry event");
    JsonObject event = payload(body.bytes(), 0, body.length(), "The event");
    String id = SentryExceptions.text(event.getValue("event_id"));
    return new Prepared(id == null ? newId() : id, new JsonArray().add(SentryEventMapper.toSpark(event, project)),
        new JsonArray(), Map.of());
  }

  /** Stores what {@code prepared} holds; completes with the id to answer once it is committed. */
  public Future<String> commit(Prepared prepared, boolean offLoop) {
    return ingestor.eventsAndAccess(prepared.events(), prepared.access(), offLoop).map(results -> {
      metrics.sentryItems("event", "ingested", prepared.events().size());
      metrics.sentryItems("transaction", "ingested", prepared.access().size());
      prepared.skipped().forEach((type, n) -> metrics.sentryItems(type, "skipped", n));
      return prepared.id();
    });
  }

  private static JsonObject payload(byte[] bytes, int offset, int length, String what) {
    if (length > MAX_EVENT_BYTES) {
      throw SentryRejection.tooLarge(what + " is " + length + " bytes; Spark takes at most " + MAX_EVENT_BYTES
          + " bytes (1 MB) per event; nothing was stored");
    }
    try {
      return new JsonObject(new String(bytes, offset, length, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      throw SentryRejection.malformed(what + " is not a JSON object");
    }
  }

  /** Sentry's id form: 32 hex digits. */
  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }
}
