package dev.spark.storage;

import dev.spark.bus.Addresses;
import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood far past the queue bound: refusals are 503s, and every acknowledged row is in the file. */
@ExtendWith(VertxExtension.class)
class BackpressureTest {

  private static JsonArray batch(int n, String tag) {
    JsonArray arr = new JsonArray();
    for (int i = 0; i < n; i++) {
      arr.add(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", tag + " " + i)
          .put("stack", "x".repeat(2_000))));
    }
    return arr;
  }

  @Test
  void floodingPastTheQueueBoundGives503sAndLosesNothingAcknowledged(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject()
        .put("storage", new JsonObject().put("queueCapacity", 200).put("maxBatchRows", 100)));
    WebClient flood = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(spark.port),
        new PoolOptions().setHttp1MaxSize(64));

    ConcurrentLinkedQueue<Long> acked = new ConcurrentLinkedQueue<>();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger retryAfter = new AtomicInteger();
    AtomicInteger other = new AtomicInteger();
    List<Future<?>> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Buffer body = batch(50, "http " + i).toBuffer();
      all.add(flood.post("/api/v1/events").sendBuffer(body).onSuccess(res -> {
        if (res.statusCode() == 200) {
          res.bodyAsJsonObject().getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));
        } else if (res.statusCode() == 503) {
          refused.incrementAndGet();
          if (res.getHeader("Retry-After") != null) retryAfter.incrementAndGet();
        } else {
          other.incrementAndGet();
        }
      }));
    }
    for (int i = 0; i < 400; i++) {
      all.add(vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, batch(50, "bus " + i)).onComplete(ar -> {
        if (ar.succeeded()) {
          ar.result().body().getJsonArray("ids").forEach(id -> acked.add(((Number) id).longValue()));
        } else if (ar.cause() instanceof ReplyException re && re.failureCode() == 503) {
          refused.incrementAndGet();
        } else {
          other.incrementAndGet();
        }
      }));
    }
    Await.result(Future.join(all).otherwiseEmpty()); // join waits for every request; some fail by design

    assertEquals(0, other.get(), "only 200s and 503s");
    assertTrue(refused.get() > 0, "the flood went past the bound, so some requests were refused");
    assertTrue(!acked.isEmpty(), "and some were taken");
    assertTrue(retryAfter.get() > 0, "HTTP refusals carry Retry-After");
    Set<Long> unique = new TreeSet<>(acked);
    assertEquals(acked.size(), unique.size(), "no id acknowledged twice");
    assertEquals(unique.size(), spark.count("SELECT count(*) FROM events"), "every acknowledged row, and only those, is in the file");
    long missing = unique.stream().filter(id -> spark.count("SELECT count(*) FROM events WHERE id = " + id) != 1).count();
    assertEquals(0, missing);

    // Once the flood is over, the same Spark takes new input at once.
    assertEquals(200, spark.postNow("/api/v1/events", batch(1, "after")).statusCode());
  }
}
