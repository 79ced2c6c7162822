package dev.spark.support;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.event.AccessLogEntry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A {@code SparkWebOptions.setTap} handler for tests: records what the web integration handed to
 * Spark and lets a test wait until n access-log entries were produced, then until they are
 * committed ({@link #committed}), without sleeping.
 */
public final class Tap implements Handler<JsonObject> {
  /** Path of the marker row {@link #committed} stores; leave it out of counts. */
  public static final String BARRIER_PATH = "/__spark-test-barrier";

  private final Collected<JsonObject> access = new Collected<>();
  private final Collected<JsonObject> events = new Collected<>();

  @Override
  public void handle(JsonObject json) {
    (json.containsKey("type") ? events : access).handle(json);
  }

  /** Completes once at least {@code count} access-log entries were handed over. */
  public Future<List<JsonObject>> awaitAccess(int count) {
    return access.awaitCount(count);
  }

  public List<JsonObject> events() {
    return events.all();
  }

  /**
   * Sends the waiting batch, then stores a marker row and waits for its acknowledgement. With one
   * ingest verticle the marker's commit comes after the batch's (messages are taken in order, storage
   * commits in order); with {@code ingest.instances} above 1 (the default is 2) another instance may
   * take the batch and commit it later, so callers that count rows must still wait for them
   * ({@link dev.spark.support.Poll}).
   */
  public static Future<List<Long>> committed(SparkWeb web, SparkClient client) {
    web.flush();
    return client.storeAccess(new AccessLogEntry("GET", BARRIER_PATH, 200, 0L, null, null, null, null, null, null, null));
  }
}
