package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import dev.spark.query.ReadStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.logging.Logger;

/**
 * Follows the {@code events} table of a database that another process writes (the sidecar's live
 * feed): every {@code intervalMs} it reads {@code max(id)} (one b-tree lookup) and, when it grew,
 * fetches the newer rows in id order and publishes them on this JVM's {@code spark.events.stored}
 * address, exactly as storage does after a commit, so {@link SseHub} observers see them. Ids only
 * grow (the tables are AUTOINCREMENT and SQLite has one writer at a time), so "newer than the last
 * id seen" loses nothing. Reads only; consumes nothing.
 */
public final class RowFollower {
  private static final Logger LOG = Logger.getLogger(RowFollower.class.getName());
  private static final int PAGE = 500;

  private final Vertx vertx;
  private final ReadStore reads;
  private final long intervalMs;
  private long lastId = -1;
  private long timer = -1;
  private boolean busy;
  private long polls;
  private long forwarded;
  private String lastError;

  public RowFollower(Vertx vertx, ReadStore reads, long intervalMs) {
    this.vertx = vertx;
    this.reads = reads;
    this.intervalMs = intervalMs;
  }

  /** Starts from the newest row now in the file (older rows are for the query API and replay). */
  public Future<Void> start() {
    timer = vertx.setPeriodic(intervalMs, t -> tick());
    return reads.maxEventId().onSuccess(max -> lastId = max).<Void>mapEmpty()
        .recover(e -> {
          LOG.warning("Cannot read the events table yet (" + e.getMessage() + "); will keep trying");
          return Future.succeededFuture();
        });
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  public JsonObject stats() {
    return new JsonObject().put("lastEventId", lastId).put("intervalMs", intervalMs).put("polls", polls)
        .put("forwarded", forwarded).put("lastError", lastError);
  }

  private void tick() {
    if (busy) return;
    busy = true;
    polls++;
    reads.maxEventId().compose(max -> {
      if (lastId < 0 || max < lastId) {
        // First successful read, or the file was replaced or emptied: follow from its newest row.
        lastId = max;
        return Future.<Void>succeededFuture();
      }
      return max > lastId ? forward(max) : Future.<Void>succeededFuture();
    }).onComplete(ar -> {
      busy = false;
      if (ar.failed()) {
        String message = String.valueOf(ar.cause().getMessage());
        if (!message.equals(lastError)) LOG.warning("Following " + reads.path() + " failed: " + message);
        lastError = message;
      } else {
        lastError = null;
      }
    });
  }

  private Future<Void> forward(long max) {
    return reads.eventsAfter(lastId, false, PAGE).compose(page -> {
      if (page.isEmpty()) {
        lastId = max;
        return Future.succeededFuture();
      }
      publish(page);
      return lastId < max ? forward(max) : Future.succeededFuture();
    });
  }

  private void publish(List<StoredEvent> page) {
    lastId = page.get(page.size() - 1).id();
    forwarded += page.size();
    vertx.eventBus().publish(Addresses.EVENTS_STORED, new EventBatch(page));
  }
}
