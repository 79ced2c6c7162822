package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.bus.WriteRequest;
import dev.spark.bus.WriteResult;
import dev.spark.config.SparkConfig;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.event.ValidationException;
import dev.spark.metrics.SparkMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Every entry point (HTTP, event bus, same-JVM records) ingests through here: one object or a
 * batch, validated all-or-nothing, filtered by {@code enabled}/{@code watch}, then committed by the
 * storage verticle. The returned future completes only once the rows are committed.
 */
public final class Ingestor {
  /**
   * Above this many items, a batch from the event bus is validated on a worker thread: a SparkWeb batch of
   * 256 realistic entries held an event loop for about 2 ms, time the application's requests on that
   * loop waited (BENCHMARKS.md, session 9). HTTP bodies go by their size instead (IngestRoutes).
   */
  public static final int OFF_LOOP_ITEMS = 64;
  private static final DeliveryOptions TO_STORAGE = new DeliveryOptions().setSendTimeout(LocalWriter.ANSWER_TIMEOUT_MS);

  private final Vertx vertx;
  private final SparkConfig cfg;
  private final IngestValidator validator;
  private final SparkMetrics metrics;

  public Ingestor(Vertx vertx, SparkConfig cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
    this.validator = new IngestValidator(cfg.environment(), new Redactor(cfg.ingest().redactKeys()));
    this.metrics = SparkMetrics.of(vertx);
  }

  public Future<IngestResult> events(Object body) {
    return events(body, false);
  }

  public Future<IngestResult> access(Object body) {
    return access(body, false);
  }

  /**
   * As {@link #events(Object)}; with {@code offLoop} the validation (redaction, capping, encoding every
   * item) runs on a worker thread, for a large HTTP body that would otherwise hold an event loop.
   */
  public Future<IngestResult> events(Object body, boolean offLoop) {
    return validated(() -> eventRequest(body), offLoop).compose(this::store);
  }

  public Future<IngestResult> access(Object body, boolean offLoop) {
    if (offLoop) return validated(() -> accessRequest(body), true).compose(this::store);
    // On the caller's thread (one bus message, a small HTTP body): no future for the validation step.
    try {
      return store(accessRequest(body));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Events and access-log entries from one request (a Sentry envelope): all of them validated before
   * any is stored, so one invalid item stores nothing; then the events are committed, then the access
   * rows. Either array may be empty. The results are in that order.
   */
  public Future<List<IngestResult>> eventsAndAccess(JsonArray events, JsonArray access, boolean offLoop) {
    return validated(() -> new Prepared[] {events.isEmpty() ? null : eventRequest(events), access.isEmpty() ? null : accessRequest(access)},
        offLoop).compose(p -> storeIfAny(p[0]).compose(e -> storeIfAny(p[1]).map(a -> List.of(e, a))));
  }

  private Future<IngestResult> storeIfAny(Prepared p) {
    return p == null ? Future.succeededFuture(new IngestResult(new Long[0])) : store(p);
  }

  /** A validated write, and for each item of the input whether it is stored (not ignored). */
  private record Prepared(WriteRequest req, boolean[] keep, List<List<String>> ignoredFields, boolean batch) {
    Prepared(WriteRequest req, boolean[] keep) {
      this(req, keep, null, true);
    }
  }

  private <T> Future<T> validated(Callable<T> validate, boolean offLoop) {
    if (offLoop) return vertx.executeBlocking(validate, false);
    try {
      return Future.succeededFuture(validate.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Prepared eventRequest(Object body) {
    try {
      List<EventRow> rows = validateAll(body, validator::event, o -> o instanceof SparkEvent e ? e.toJson() : o);
      boolean[] keep = new boolean[rows.size()];
      List<EventRow> kept = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        keep[i] = cfg.enabled() && watched(rows.get(i).type());
        if (keep[i]) kept.add(rows.get(i));
      }
      metrics.ignored("event", rows.size() - kept.size());
      return new Prepared(new WriteRequest.Events(kept), keep);
    } catch (ValidationException e) {
      metrics.rejected("event", "invalid", items(body));
      throw e;
    }
  }

  private Prepared accessRequest(Object body) {
    try {
      List<IngestValidator.CheckedAccess> checked =
          validateAll(body, validator::checkedAccess, o -> o instanceof AccessLogEntry a ? a.toJson() : o);
      List<AccessRow> rows = new ArrayList<>(checked.size());
      List<List<String>> ignoredFields = null;
      long ignoredCount = 0;
      for (int i = 0; i < checked.size(); i++) {
        IngestValidator.CheckedAccess c = checked.get(i);
        rows.add(c.row());
        if (c.ignoredCount() == 0) continue;
        ignoredCount += c.ignoredCount();
        if (ignoredFields == null) ignoredFields = new ArrayList<>(Collections.nCopies(checked.size(), List.of()));
        ignoredFields.set(i, c.ignoredFields());
      }
      metrics.ignoredFields("access", ignoredCount);
      boolean[] keep = new boolean[rows.size()];
      Arrays.fill(keep, cfg.enabled());
      if (!cfg.enabled()) metrics.ignored("access", rows.size());
      return new Prepared(new WriteRequest.Access(cfg.enabled() ? rows : List.of()), keep, ignoredFields, isBatch(body));
    } catch (ValidationException e) {
      metrics.rejected("access", "invalid", items(body));
      throw e;
    }
  }

  /** Whether validating {@code body} on an event loop would hold it too long: a batch of more than {@link #OFF_LOOP_ITEMS}. */
  static boolean holdsALoop(Object body) {
    if (body instanceof JsonArray arr) return arr.size() > OFF_LOOP_ITEMS;
    return body instanceof Collection<?> list && list.size() > OFF_LOOP_ITEMS;
  }

  private static boolean isBatch(Object body) {
    return body instanceof JsonArray || body instanceof Collection<?> || body instanceof AccessJson.Entries e && e.batch;
  }

  private static int items(Object body) {
    if (body instanceof AccessJson.Entries e) return e.size();
    if (body instanceof JsonArray arr) return Math.max(1, arr.size());
    if (body instanceof Collection<?> list) return Math.max(1, list.size());
    return 1;
  }

  private boolean watched(String type) {
    SparkConfig.Watch w = cfg.watch();
    return switch (EventType.fromWire(type).orElseThrow()) {
      case SERVER_ERROR -> w.serverErrors();
      case UNHANDLED_ERROR -> w.unhandledErrors();
      case PROCESS_ERROR -> w.processErrors();
      case RATE_LIMIT -> w.rateLimits();
    };
  }

  private static <R> List<R> validateAll(Object body, BiFunction<Object, String, R> validate, Function<Object, Object> unwrap) {
    if (body instanceof JsonArray arr) return validateEach(arr.getList(), validate, unwrap);
    if (body instanceof Collection<?> list) return validateEach(list, validate, unwrap);
    if (body instanceof AccessJson.Entries e) {
      return e.batch ? validateEach(e.items, validate, unwrap) : List.of(validate.apply(e.items.get(0), ""));
    }
    return List.of(validate.apply(unwrap.apply(body), ""));
  }

  private static <R> List<R> validateEach(Collection<?> items, BiFunction<Object, String, R> validate,
      Function<Object, Object> unwrap) {
    if (items.isEmpty()) throw new ValidationException("", "the batch is empty; send at least one item");
    List<R> out = new ArrayList<>(items.size());
    int i = 0;
    for (Object item : items) {
      try {
        out.add(validate.apply(unwrap.apply(item), ""));
      } catch (ValidationException e) {
        throw inItem(i, e);
      }
      i++;
    }
    return out;
  }

  /**
   * {@code e} of a batch's item {@code i}, its field named from the batch ({@code [i].status}, or
   * {@code [i]} for the item itself). The path is built only for a refusal: every item of every
   * batch built a String for it before.
   */
  private static ValidationException inItem(int i, ValidationException e) {
    String field = e.field() == null || e.field().isEmpty() ? "[" + i + "]" : "[" + i + "]." + e.field();
    return new ValidationException(field, e.getMessage());
  }

  /** Straight to the writer when it runs in this Vert.x instance (it always does in Spark), else over the bus. */
  private Future<long[]> toStorage(WriteRequest req) {
    LocalWriter local = LocalWriter.of(vertx);
    if (local != null) return local.write(req);
    return vertx.eventBus().<WriteResult>request(Addresses.STORAGE_WRITE, req, TO_STORAGE).map(m -> m.body().ids());
  }

  private Future<IngestResult> store(Prepared p) {
    WriteRequest req = p.req();
    boolean[] keep = p.keep();
    Future<long[]> ids = req.size() == 0 ? Future.succeededFuture(new long[0]) : toStorage(req);
    return ids.map(committed -> {
      Long[] out = new Long[keep.length];
      int next = 0;
      for (int i = 0; i < keep.length; i++) out[i] = keep[i] ? committed[next++] : null;
      return new IngestResult(out, p.ignoredFields(), p.batch());
    });
  }
}
