package dev.spark.support;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkSubscription;
import dev.spark.event.EventBatch;
import dev.spark.event.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Handler;

import java.util.List;
import java.util.function.Predicate;

/**
 * Collects the events of batches (from an observer or an agent subscription) so a test can wait for
 * a specific one.
 */
public final class EventWatch implements Handler<EventBatch> {
  private final Collected<StoredEvent> events = new Collected<>();
  private SparkSubscription subscription;

  /** An observer: sees every stored event, consumes nothing. */
  public static Future<EventWatch> start(SparkClient client) {
    EventWatch watch = new EventWatch();
    return client.observe(watch).map(sub -> {
      watch.subscription = sub;
      return watch;
    });
  }

  @Override
  public void handle(EventBatch batch) {
    batch.events().forEach(events::handle);
  }

  public Future<StoredEvent> await(Predicate<StoredEvent> match) {
    return events.await(match);
  }

  public Future<StoredEvent> awaitId(long id) {
    return events.await(e -> e.id() == id);
  }

  public Future<StoredEvent> awaitTrace(String traceId) {
    return events.await(e -> traceId.equals(e.row().traceId()));
  }

  public List<StoredEvent> seen() {
    return events.all();
  }

  public Future<Void> close() {
    return subscription == null ? Future.succeededFuture() : subscription.close();
  }
}
