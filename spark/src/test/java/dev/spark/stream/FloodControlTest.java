package dev.spark.stream;

import dev.spark.bus.Addresses;
import dev.spark.client.SparkClient;
import dev.spark.event.EventBatch;
import dev.spark.event.IssueDelivery;
import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.Collected;
import dev.spark.support.MutableClock;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.SseTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Flood control in delivery, over real HTTP and SSE on a real SQLite file: each issue reaches the
 * agents once per batch with its counts, then not again until its cooldown has passed (time comes
 * from a test clock), at once when it regresses, never when muted. Every event is still stored.
 * Tests synchronise on a "sentinel": a distinct problem ingested last; batches are consumed in id
 * order, so once an agent has the sentinel, everything stored before it has been consumed.
 */
@ExtendWith(VertxExtension.class)
class FloodControlTest {
  private static final String STACK = String.join("\n",
      "java.lang.IllegalStateException: Order lookup failed",
      "\tat java.base/java.util.Optional.orElseThrow(Optional.java:403)",
      "\tat dev.shop.orders.OrderRepository.load(OrderRepository.java:%d)",
      "\tat dev.shop.orders.OrderService.checkout(OrderService.java:57)",
      "\tat io.vertx.core.impl.ContextImpl.emit(ContextImpl.java:342)",
      "\tat io.netty.util.concurrent.SingleThreadEventExecutor$4.run(SingleThreadEventExecutor.java:997)",
      "\tat java.base/java.lang.Thread.run(Thread.java:840)");

  /** One bug: the message differs only in ids and numbers, the throwing line in two places. */
  static JsonObject occurrence(int i) {
    String message = "Order " + (1000 + i) + " for user " + UUID.randomUUID() + " failed after " + (i % 97) + " ms";
    return new JsonObject().put("type", "server-error").put("route", "POST /api/orders/" + i).put("status", 500)
        .put("error", new JsonObject().put("message", message).put("stack", String.format(STACK, i % 2 == 0 ? 41 : 44)));
  }

  static JsonObject bug(String name) {
    return new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", name + " is broken")
            .put("stack", "Error: " + name + " is broken\n    at " + name + " (/app/src/" + name + ".ts:3:9)"));
  }

  static List<Long> post(SparkUnderTest spark, Object body) {
    var res = spark.postNow("/api/v1/events", body);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getJsonArray("ids").stream().map(id -> ((Number) id).longValue()).toList();
  }

  static void postOccurrences(SparkUnderTest spark, int from, int count) {
    for (int start = from; start < from + count; start += 500) {
      JsonArray batch = new JsonArray();
      for (int i = start; i < Math.min(from + count, start + 500); i++) batch.add(occurrence(i));
      post(spark, batch);
    }
  }

  static String fingerprintOf(SparkUnderTest spark, long id) {
    return spark.getJson("/api/v1/events/" + id).getString("fingerprint");
  }

  /**
   * Posts a distinct problem and waits until the SSE agent has it: everything before it is consumed.
   * Names must differ in words, not digits ("sync-1" and "sync-2" are one issue).
   */
  static long sync(SparkUnderTest spark, SseTestClient agent, String name) {
    long id = post(spark, bug(name)).get(0);
    List<SseTestClient.Received> all = Await.result(agent.awaitId(id));
    assertEquals(id, all.get(all.size() - 1).id(), "the sentinel is the last thing delivered");
    return id;
  }

  static List<SseTestClient.Received> deliveriesOf(SseTestClient agent, String fingerprint) {
    return agent.events().stream().filter(r -> fingerprint.equals(r.data().getString("fingerprint"))).toList();
  }

  static JsonObject issueJson(SparkUnderTest spark, String fingerprint) {
    return spark.getJson("/api/v1/issues/" + fingerprint).getJsonObject("issue");
  }

  static JsonObject setStatus(SparkUnderTest spark, String fingerprint, String action) {
    return Await.result(spark.vertx.eventBus().<JsonObject>request(Addresses.ISSUE_STATUS,
        new JsonObject().put("fingerprint", fingerprint).put("action", action))).body();
  }

  @Test
  void tenThousandOccurrencesOfOneBugAreOneIssueDeliveredOnceWithItsCount(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    postOccurrences(spark, 0, 10_000);
    assertEquals(10_000, spark.count("SELECT count(*) FROM events"), "every occurrence is stored");
    assertEquals(1, spark.count("SELECT count(DISTINCT fingerprint) FROM events"));
    assertEquals(1, spark.count("SELECT count(*) FROM issues"));
    assertEquals(10_000, spark.count("SELECT count FROM issues"));

    // Two agents: one over SSE, one on the event bus. The backlog goes to both. The bus agent's
    // registration starts the drain at once, so the SSE agent may connect before or after the
    // backlog's batch is published: it resumes from Last-Event-ID 0 and gets the delivered bug
    // either live or from the replay, once.
    Collected<EventBatch> bus = new Collected<>();
    Await.result(SparkClient.create(vertx).subscribe("bus-agent", bus));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, 0L));
    long sentinel = sync(spark, agent, "sentinel");

    List<SseTestClient.Received> got = agent.events();
    assertEquals(2, got.size(), "the bug once, then the sentinel: " + got);
    JsonObject issue = got.get(0).data().getJsonObject("issue");
    String fp = got.get(0).data().getString("fingerprint");
    assertEquals(IssueDelivery.NEW, issue.getString("kind"));
    assertEquals(10_000, issue.getLong("total"), "delivered with its total count");
    assertEquals(500, issue.getInteger("inBatch"), "and its count in the batch (stream.batchLimit events consumed per batch)");
    assertTrue(issue.getString("summary").startsWith("New issue: 500 occurrences in this batch, 10000 in total"), issue.encode());
    assertEquals(1, got.get(0).id(), "the issue's first occurrence stands for it");

    StoredEvent viaBus = Await.result(bus.await(b -> b.events().stream().anyMatch(e -> e.id() == sentinel)))
        .events().get(0);
    List<EventBatch> batches = bus.all();
    long busDeliveries = batches.stream().flatMap(b -> b.issues().stream()).filter(d -> fp.equals(d.fingerprint())).count();
    assertEquals(1, busDeliveries, "the event-bus agent also gets the issue once");
    assertNotNull(viaBus);
    EventBatch first = batches.get(0);
    assertEquals(1, first.events().size());
    assertEquals(500, first.consumed());
    assertEquals(499, first.suppressed());
    assertEquals(10_000, first.issues().get(0).total());
    assertEquals(501, batches.stream().mapToInt(EventBatch::consumed).sum(),
        "published: the first batch (500 consumed, 1 delivered) and the sentinel's; batches that deliver nothing are not published");

    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "nothing stays pending");
    assertEquals(9_999, spark.count("SELECT count(*) FROM events WHERE suppressed = 1"));
    JsonObject row = issueJson(spark, fp);
    assertEquals(10_000, row.getLong("count"));
    assertEquals(1, row.getLong("deliveries"));
    assertEquals(9_500, row.getLong("suppressedSinceDelivery"),
        "the occurrences after the delivered batch (its own 500 were reported with it)");
    assertEquals("java.lang.IllegalStateException", row.getString("errorClass"));
    assertEquals("dev.shop.orders.OrderRepository.load", row.getString("culprit"));
  }

  @Test
  void withAnAgentConnectedAFloodIsDeliveredOnceAndCountedInFull(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    postOccurrences(spark, 0, 10_000);
    sync(spark, agent, "sentinel");
    String fp = fingerprintOf(spark, 1);
    List<SseTestClient.Received> ofBug = deliveriesOf(agent, fp);
    assertEquals(1, ofBug.size(), "one delivery while the flood goes on");
    assertEquals(IssueDelivery.NEW, ofBug.get(0).data().getJsonObject("issue").getString("kind"));
    assertEquals(10_000, spark.count("SELECT count(*) FROM events WHERE fingerprint = '" + fp + "'"));
    assertEquals(10_000, issueJson(spark, fp).getLong("count"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
    // The API says which events were held back: all but the one delivered.
    long delivered = ofBug.get(0).id();
    JsonArray listed = spark.getJson("/api/v1/events?limit=50").getJsonArray("events");
    int heldBack = 0;
    for (int i = 0; i < listed.size(); i++) {
      JsonObject e = listed.getJsonObject(i);
      if (!fp.equals(e.getString("fingerprint"))) continue;
      assertEquals(e.getLong("id") != delivered, e.getBoolean("suppressed"), e.encode());
      if (e.getBoolean("suppressed")) heldBack++;
    }
    assertTrue(heldBack > 0, "the newest events of the flood are listed as held back");
    assertEquals(false, spark.getJson("/api/v1/events/" + delivered).getBoolean("suppressed"));
  }

  @Test
  void afterTheCooldownTheIssueIsDeliveredOnceMoreAsStillHappening(Vertx vertx, @TempDir Path dir) {
    MutableClock clock = MutableClock.startingNow();
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir,
        new JsonObject().put("issues", new JsonObject().put("cooldownMs", 60_000)), clock);
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    post(spark, occurrence(0));
    sync(spark, agent, "first-sync");
    String fp = fingerprintOf(spark, 1);
    assertEquals(1, deliveriesOf(agent, fp).size());

    // Within the cooldown: stored and counted, not delivered.
    postOccurrences(spark, 1, 3);
    clock.advance(Duration.ofSeconds(59));
    post(spark, occurrence(4));
    sync(spark, agent, "second-sync");
    assertEquals(1, deliveriesOf(agent, fp).size(), "nothing more within the cooldown");
    assertEquals(4, issueJson(spark, fp).getLong("suppressedSinceDelivery"));

    // The cooldown has passed: the next occurrences are delivered once, with how many there were since.
    clock.advance(Duration.ofSeconds(1));
    post(spark, new JsonArray().add(occurrence(5)).add(occurrence(6)).add(occurrence(7)));
    sync(spark, agent, "third-sync");
    List<SseTestClient.Received> ofBug = deliveriesOf(agent, fp);
    assertEquals(2, ofBug.size(), "one 'still happening' delivery: " + ofBug);
    JsonObject again = ofBug.get(1).data().getJsonObject("issue");
    assertEquals(IssueDelivery.STILL_HAPPENING, again.getString("kind"));
    assertEquals(8, again.getLong("total"));
    assertEquals(3, again.getInteger("inBatch"));
    assertEquals(7, again.getLong("sinceLastDelivery"), "the 4 held back and this batch's 3");
    assertNotNull(again.getString("previousDeliveryAt"));
    assertTrue(again.getString("summary").startsWith("Still happening: 7 more since it was last delivered at "), again.encode());
    assertEquals(0, issueJson(spark, fp).getLong("suppressedSinceDelivery"));

    // And the cooldown starts over.
    post(spark, occurrence(8));
    sync(spark, agent, "fourth-sync");
    assertEquals(2, deliveriesOf(agent, fp).size());
    assertEquals(9, spark.count("SELECT count(*) FROM events WHERE fingerprint = '" + fp + "'"));
  }

  @Test
  void aResolvedIssueThatOccursAgainIsDeliveredAtOnceAsARegression(Vertx vertx, @TempDir Path dir) {
    MutableClock clock = MutableClock.startingNow();
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null, clock); // default cooldown: 10 minutes
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    post(spark, occurrence(0));
    sync(spark, agent, "sync-one");
    String fp = fingerprintOf(spark, 1);

    JsonObject resolved = setStatus(spark, fp, "resolve");
    assertEquals("resolved", resolved.getString("status"));
    assertNotNull(resolved.getString("resolvedAt"));
    clock.advance(Duration.ofSeconds(5)); // far inside the cooldown

    long again = post(spark, occurrence(1)).get(0);
    assertEquals("open", issueJson(spark, fp).getString("status"), "an occurrence reopens it at once");
    sync(spark, agent, "sync-two");

    List<SseTestClient.Received> ofBug = deliveriesOf(agent, fp);
    assertEquals(2, ofBug.size());
    assertEquals(again, ofBug.get(1).id());
    JsonObject regression = ofBug.get(1).data().getJsonObject("issue");
    assertEquals(IssueDelivery.REGRESSION, regression.getString("kind"));
    assertEquals(resolved.getString("resolvedAt"), regression.getString("resolvedAt"));
    assertEquals(2, regression.getLong("total"));
    assertTrue(regression.getString("summary").startsWith("Regression: resolved at "), regression.encode());
    JsonObject after = issueJson(spark, fp);
    assertEquals("open", after.getString("status"));
    assertFalse(after.getBoolean("regression"), "delivered: the mark is cleared");

    // A regression is delivered once; what follows waits for the cooldown like any open issue.
    post(spark, occurrence(2));
    sync(spark, agent, "sync-three");
    assertEquals(2, deliveriesOf(agent, fp).size());
  }

  @Test
  void resolvingWhileOccurrencesWaitDoesNotDeliverThoseOlderOccurrences(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    post(spark, new JsonArray().add(occurrence(0)).add(occurrence(1)));
    String fp = fingerprintOf(spark, 1);
    setStatus(spark, fp, "resolve");
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    sync(spark, agent, "sync");
    assertEquals(0, deliveriesOf(agent, fp).size(), "they happened before it was resolved");
    assertEquals("resolved", issueJson(spark, fp).getString("status"));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
  }

  @Test
  void anOccurrenceAfterResolveReopensTheIssueAndMarksItARegressionEvenWithNoAgent(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    post(spark, occurrence(0));
    String fp = fingerprintOf(spark, 1);
    setStatus(spark, fp, "resolve");
    post(spark, occurrence(1));
    JsonObject issue = issueJson(spark, fp);
    assertEquals("open", issue.getString("status"));
    assertTrue(issue.getBoolean("regression"), "waiting to be delivered as a regression");
    assertEquals(2, issue.getLong("count"));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    sync(spark, agent, "sentinel");
    List<SseTestClient.Received> ofBug = deliveriesOf(agent, fp);
    assertEquals(1, ofBug.size(), "the occurrence before the resolve is not delivered, the one after is");
    assertEquals(2, ofBug.get(0).id());
    assertEquals(IssueDelivery.REGRESSION, ofBug.get(0).data().getJsonObject("issue").getString("kind"));
  }

  @Test
  void aMutedIssueIsNeverDelivered(Vertx vertx, @TempDir Path dir) {
    MutableClock clock = MutableClock.startingNow();
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir,
        new JsonObject().put("issues", new JsonObject().put("cooldownMs", 1_000)), clock);
    // Muted before any agent saw it: its pending occurrences are consumed without delivery.
    post(spark, occurrence(0));
    String fp = fingerprintOf(spark, 1);
    assertEquals("muted", setStatus(spark, fp, "mute").getString("status"));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    sync(spark, agent, "sync-one");
    post(spark, occurrence(1));
    clock.advance(Duration.ofHours(1));
    postOccurrences(spark, 2, 600);
    clock.advance(Duration.ofHours(1));
    post(spark, occurrence(700));
    sync(spark, agent, "sync-two");
    assertEquals(0, deliveriesOf(agent, fp).size(), "muted: never delivered, however long and often it occurs");
    JsonObject issue = issueJson(spark, fp);
    assertEquals("muted", issue.getString("status"));
    assertEquals(603, issue.getLong("count"), "still stored and counted");
    assertEquals(603, issue.getLong("suppressedSinceDelivery"));
    assertNull(issue.getString("lastDeliveredAt"));

    // Reopened, it is delivered again: never delivered before, so as new.
    setStatus(spark, fp, "reopen");
    post(spark, occurrence(701));
    sync(spark, agent, "sync-three");
    List<SseTestClient.Received> ofBug = deliveriesOf(agent, fp);
    assertEquals(1, ofBug.size());
    assertEquals(IssueDelivery.NEW, ofBug.get(0).data().getJsonObject("issue").getString("kind"));
    assertEquals(604, ofBug.get(0).data().getJsonObject("issue").getLong("sinceLastDelivery"));
  }

  @Test
  void aBatchCarriesEachIssueOnceWithItsCounts(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonArray mixed = new JsonArray();
    for (int i = 0; i < 5; i++) mixed.add(occurrence(i)).add(bug("cart")).add(bug("search"));
    mixed.add(bug("cart"));
    post(spark, mixed);
    Collected<EventBatch> bus = new Collected<>();
    Await.result(SparkClient.create(vertx).subscribe(bus));
    EventBatch batch = Await.result(bus.awaitCount(1)).get(0);
    assertEquals(16, batch.consumed());
    assertEquals(3, batch.events().size(), "three issues, each once");
    assertEquals(List.of(1L, 2L, 3L), batch.events().stream().map(StoredEvent::id).toList(), "first occurrences, oldest first");
    assertEquals(List.of(5, 6, 5), batch.issues().stream().map(IssueDelivery::inBatch).toList());
    assertEquals(List.of(5L, 6L, 5L), batch.issues().stream().map(IssueDelivery::total).toList());
    EventBatch roundTrip = EventBatch.fromJson(batch.toJson());
    assertEquals(batch.issues(), roundTrip.issues(), "the JSON form (clustered bus) keeps the issues");
    assertEquals(batch.consumed(), roundTrip.consumed());
  }

  @Test
  void resumingByLastEventIdReplaysWhatWasDeliveredExactlyAndNothingSuppressed(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    postOccurrences(spark, 0, 700);
    post(spark, new JsonArray().add(bug("cart")).add(bug("cart")));
    postOccurrences(spark, 700, 50);
    sync(spark, agent, "sentinel");
    List<SseTestClient.Received> live = agent.events();
    assertEquals(3, live.size(), "the order bug, the cart bug, the sentinel");
    Await.result(agent.close());

    SseTestClient resumed = Await.result(SseTestClient.connect(vertx, spark.port, null, 0L));
    List<SseTestClient.Received> replayed = Await.result(resumed.awaitCount(3));
    assertEquals(live.stream().map(SseTestClient.Received::id).toList(), replayed.stream().map(SseTestClient.Received::id).toList());
    for (int i = 0; i < 3; i++) {
      assertEquals(live.get(i).data().getJsonObject("issue"), replayed.get(i).data().getJsonObject("issue"),
          "the same counts and kind as when it was live");
    }
    // Nothing else comes: a new distinct event is the next message.
    long next = post(spark, bug("next")).get(0);
    assertEquals(next, Await.result(resumed.awaitCount(4)).get(3).id());
  }

  @Test
  void observersStillSeeEveryEvent(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    SseTestClient observer = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
    postOccurrences(spark, 0, 1_200);
    List<SseTestClient.Received> seen = Await.result(observer.awaitCount(1_200));
    assertEquals(1_200, seen.size());
    assertEquals(1, seen.stream().map(r -> r.data().getString("fingerprint")).distinct().count());
    sync(spark, agent, "sentinel");
    assertEquals(2, agent.events().size());
  }

  @Test
  void floodControlOffDeliversEveryEvent(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("issues", new JsonObject().put("floodControl", false)));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    postOccurrences(spark, 0, 20);
    assertEquals(20, Await.result(agent.awaitCount(20)).size());
    assertEquals(20, issueJson(spark, fingerprintOf(spark, 1)).getLong("count"), "issues are still counted");
  }
}
