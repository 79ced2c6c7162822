package dev.spark.client;

import dev.spark.Spark;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.Collected;
import dev.spark.support.EventWatch;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event-bus client against a real Spark in the same Vert.x. */
@ExtendWith(VertxExtension.class)
class SparkClientTest {

  @Test
  void acknowledgedSendsCompleteWithTheCommittedIds(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);

    List<Long> event = Await.result(client.storeEvent(new SparkEvent("server-error", "trace-1", null, null, "checkout",
        "POST /api/orders", 500, "Connection refused", "Error: Connection refused\n\tat Db.connect", null)));
    List<Long> json = Await.result(client.storeEvent(new JsonObject().put("type", "rate-limit").put("ip", "10.0.0.1")));
    List<Long> access = Await.result(client.storeAccess(new AccessLogEntry("GET", "/api/orders", 200, 3L, null, "127.0.0.1",
        "list-orders", "r-1", new JsonObject().put("page", 2), null, "curl/8")));

    assertEquals(1, event.size());
    assertNotNull(event.get(0));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE id = " + event.get(0) + " AND trace_id = 'trace-1' AND feature = 'checkout'"));
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE id = " + json.get(0) + " AND type = 'rate-limit'"));
    assertEquals(1, spark.count("SELECT count(*) FROM access_logs WHERE id = " + access.get(0) + " AND request_id = 'r-1'"));

    ReplyException bad = assertInstanceOf(ReplyException.class,
        Await.failure(client.storeEvent(new JsonObject().put("type", "no-such-type"))));
    assertEquals(400, bad.failureCode(), "Spark's own validation answers");
    assertTrue(bad.getMessage().contains("type must be one of"), bad.getMessage());
    assertEquals(0, client.refused(), "acknowledged sends report their failure to the caller, not the counter");
  }

  @Test
  void fireAndForgetSendsAreStoredAndWhatSparkRefusesIsCounted(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Collected<Throwable> refusals = new Collected<>();
    // Without a buffer (SendBufferTest has one): what Spark cannot take is refused at once.
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setRefusalHandler(refusals).setBufferLimit(0, 0));
    EventWatch watch = Await.result(EventWatch.start(client));

    client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "sent and forgotten"));
    StoredEvent stored = Await.result(watch.await(e -> e.row().data().contains("sent and forgotten")));
    assertEquals("unhandled-error", stored.row().type());

    client.sendEvent(new JsonObject().put("type", "server-error").put("status", "500")); // a mistyped status: Spark refuses it
    Throwable first = Await.result(refusals.awaitCount(1)).get(0);
    assertEquals(400, assertInstanceOf(ReplyException.class, first).failureCode());
    assertEquals(1, client.refused());

    spark.stop();
    client.sendAccess(new AccessLogEntry("GET", "/", 200, 1L, null, null, null, null, null, null, null));
    Throwable second = Await.result(refusals.awaitCount(2)).get(1);
    assertEquals(ReplyFailure.NO_HANDLERS, assertInstanceOf(ReplyException.class, second).failureType());
    assertEquals(2, client.refused());
    assertEquals(1, spark.count("SELECT count(*) FROM events"));
  }

  @Test
  void anAgentSubscriptionConsumesAndCloseUnregistersIt(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    long backlog = Await.result(client.storeEvent(SparkEvent.of(EventType.PROCESS_ERROR, "before anyone listened"))).get(0);

    EventWatch batches = new EventWatch();
    SparkSubscription sub = Await.result(client.subscribe("agent-under-test", batches));
    assertTrue(sub.isAgent());
    assertEquals("agent-under-test", sub.id());
    assertEquals(1, agents(spark));
    assertEquals(backlog, Await.result(batches.awaitId(backlog)).id(), "the first agent gets the backlog");

    long live = Await.result(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "while subscribed"))).get(0);
    StoredEvent delivered = Await.result(batches.awaitId(live));
    assertTrue(delivered.consumed());
    assertEquals(2, spark.count("SELECT count(*) FROM events WHERE consumed = 1"));

    Await.result(sub.close());
    assertTrue(sub.isClosed());
    assertEquals(0, agents(spark), "close() unregistered the agent");
  }

  @Test
  void anObserverSeesEveryEventAndConsumesNothing(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    EventWatch batches = new EventWatch();
    SparkSubscription observer = Await.result(client.observe(batches));
    assertTrue(!observer.isAgent());

    long id = Await.result(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "observed"))).get(0);
    StoredEvent seen = Await.result(batches.awaitId(id));
    assertTrue(!seen.consumed());
    assertEquals(0, agents(spark), "an observer is not an agent");
    assertEquals(1, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
    Await.result(observer.close());
  }

  @Test
  void anAgentKeepsConsumingAfterSparkRestarts(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx, new SparkClientOptions().setReregisterIntervalMs(50));
    EventWatch batches = new EventWatch();
    SparkSubscription sub = Await.result(client.subscribe(batches));

    spark.restart(); // Spark's agent list starts empty again
    long id = Await.result(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "after the restart"))).get(0);
    assertTrue(Await.result(batches.awaitId(id)).consumed(), "re-registered and delivered");
    Await.result(sub.close());
  }

  @Test
  void subscribingWithoutSparkFails(Vertx vertx) {
    SparkClient client = SparkClient.create(vertx);
    ReplyException e = assertInstanceOf(ReplyException.class, Await.failure(client.subscribe(batch -> { })));
    assertEquals(ReplyFailure.NO_HANDLERS, e.failureType());
  }

  @Test
  void sparkDeployRunsSparkInTheAppsVertx(Vertx vertx, @TempDir Path dir) {
    JsonObject config = new JsonObject()
        .put("db", new JsonObject().put("path", dir.resolve("embedded.db").toString()))
        .put("web", new JsonObject().put("enabled", false));
    String id = Await.result(Spark.deploy(vertx, config));
    assertTrue(vertx.deploymentIDs().contains(id));
    SparkClient client = SparkClient.create(vertx);
    assertEquals(1, Await.result(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "embedded"))).size());
    Await.result(vertx.undeploy(id));
    ReplyException gone = assertInstanceOf(ReplyException.class, Await.failure(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "x"))));
    assertEquals(ReplyFailure.NO_HANDLERS, gone.failureType());
    Throwable bad = Await.failure(Spark.deploy(vertx, new JsonObject().put("db", new JsonObject().put("pollIntervalMs", -1))));
    assertTrue(bad.getMessage().contains("db.pollIntervalMs"), bad.getMessage());
  }

  private static int agents(SparkUnderTest spark) {
    JsonObject health = Await.result(spark.client().get("/health").send()).bodyAsJsonObject();
    return health.getJsonObject("poller").getInteger("agents");
  }
}
