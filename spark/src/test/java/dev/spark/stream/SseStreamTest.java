package dev.spark.stream;

import dev.spark.support.Await;
import dev.spark.support.Poll;
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
import java.util.List;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stream over real HTTP: push on store, resume by id, observers, backlog for the first agent. */
@ExtendWith(VertxExtension.class)
class SseStreamTest {

  /**
   * A distinct problem per message: these tests are about delivering events one by one, and "timed 3"
   * and "timed 4" would otherwise be one issue (numbers are not part of a fingerprint), delivered once.
   */
  private static JsonObject error(String message) {
    return new JsonObject().put("type", "server-error").put("fingerprint", message)
        .put("error", new JsonObject().put("message", message));
  }

  private static List<Long> ids(List<SseTestClient.Received> events) {
    return events.stream().map(SseTestClient.Received::id).toList();
  }

  private static List<Long> post(SparkUnderTest spark, int n, String prefix) {
    JsonArray batch = new JsonArray();
    for (int i = 0; i < n; i++) batch.add(error(prefix + i));
    return spark.postNow("/api/v1/events", batch).bodyAsJsonObject().getJsonArray("ids").stream()
        .map(id -> ((Number) id).longValue()).toList();
  }

  @Test
  void aSubscriberGetsANewEventWithinMillisecondsNotAPollIntervalLater(Vertx vertx, @TempDir Path dir) {
    // The safety-net poll is one minute here: only the "stored" notification can deliver in time.
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("db", new JsonObject().put("pollIntervalMs", 60_000)));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    post(spark, 1, "warm-up");
    Await.result(agent.awaitCount(1));

    long[] latenciesMs = new long[20];
    for (int i = 0; i < latenciesMs.length; i++) {
      long before = System.nanoTime();
      spark.postNow("/api/v1/events", error("timed " + i));
      SseTestClient.Received got = Await.result(agent.awaitCount(i + 2)).get(i + 1);
      latenciesMs[i] = (got.arrivedNanos() - before) / 1_000_000;
    }
    long worst = LongStream.of(latenciesMs).max().orElseThrow();
    assertTrue(worst < 1_000, "every event arrived within a second of its POST, far under the 60 s poll; worst " + worst + " ms");
  }

  @Test
  void aReconnectWithLastEventIdLosesNothingAndRepeatsNothing(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient first = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    List<Long> before = post(spark, 5, "before");
    assertEquals(before, ids(Await.result(first.awaitCount(5))));
    long lastSeen = before.get(2);
    Await.result(first.close());

    // While the agent is away, another agent consumes these.
    SseTestClient other = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    List<Long> whileAway = post(spark, 4, "away");
    Await.result(other.awaitCount(4));
    Await.result(other.close());

    SseTestClient back = Await.result(SseTestClient.connect(vertx, spark.port, null, lastSeen));
    List<Long> after = post(spark, 3, "after");
    List<Long> expected = new java.util.ArrayList<>(before.subList(3, 5));
    expected.addAll(whileAway);
    expected.addAll(after);
    List<Long> received = ids(Await.result(back.awaitCount(expected.size())));
    assertEquals(expected, received, "everything after the last id, once each, in order");

    SseTestClient viaQuery = Await.result(SseTestClient.connect(vertx, spark.port, "since=" + before.get(4), null));
    List<Long> replayed = ids(Await.result(viaQuery.awaitCount(whileAway.size() + after.size())));
    assertEquals(expected.subList(2, expected.size()), replayed, "?since= replays the same way");
  }

  @Test
  void anObserverWatchesEverythingAndConsumesNothing(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SseTestClient observer = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
    List<Long> ids = post(spark, 3, "watched");
    List<SseTestClient.Received> seen = Await.result(observer.awaitCount(3));
    assertEquals(ids, ids(seen));
    assertEquals("watched0", seen.get(0).data().getJsonObject("data").getJsonObject("error").getString("message"));
    assertEquals(3, spark.count("SELECT count(*) FROM events WHERE consumed = 0"), "observing consumes nothing");

    SseTestClient late = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true&since=0", null));
    assertEquals(ids, ids(Await.result(late.awaitCount(3))), "an observer can replay pending events too");
    assertEquals(3, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
  }

  @Test
  void withNoAgentEventsStayPendingThenAllArriveWhenOneConnects(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject()
        .put("db", new JsonObject().put("pollIntervalMs", 50))
        .put("stream", new JsonObject().put("heartbeatMs", 100)));
    List<Long> ids = post(spark, 7, "backlog");
    // Let several safety-net polls (every 50 ms) pass with no agent, counted by the server's own
    // heartbeats (every 100 ms) to an observer: nothing may be consumed.
    SseTestClient observer = Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
    Await.result(observer.awaitComments(observer.comments() + 4));
    assertEquals(7, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));

    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    assertEquals(ids, ids(Await.result(agent.awaitCount(7))));
    assertEquals(0, spark.count("SELECT count(*) FROM events WHERE consumed = 0"));
  }

  @Test
  void heartbeatsKeepAnIdleStreamAlive(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("stream", new JsonObject().put("heartbeatMs", 100)));
    SseTestClient agent = Await.result(SseTestClient.connect(vertx, spark.port, null, null));
    int start = agent.comments();
    Await.result(agent.awaitComments(start + 3)); // fails by timeout if no heartbeat comes
    assertTrue(agent.comments() >= start + 3, "heartbeat comments arrive on an idle stream");
    List<Long> ids = post(spark, 1, "still open");
    assertEquals(ids, ids(Await.result(agent.awaitCount(1))));
  }

  @Test
  void theStreamNeedsTheToken(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    var res = Await.result(spark.client().get("/api/v1/stream").send());
    assertEquals(401, res.statusCode());
    var bad = Await.result(spark.client().get("/api/v1/stream").bearerTokenAuthentication("wrong").send());
    assertEquals(401, bad.statusCode());
    var badSince = Await.result(spark.client().get("/api/v1/stream?since=abc").bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
    assertEquals(400, badSince.statusCode());
  }

  @Test
  void healthCountsTheSubscribersOfEveryWebInstanceWhicheverAnswers(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    assertEquals(2, spark.config.getJsonObject("web").getInteger("instances"), "two instances share the port");
    for (int i = 0; i < 3; i++) Await.result(SseTestClient.connect(vertx, spark.port, "observe=true", null));
    for (int i = 0; i < 2; i++) Await.result(SseTestClient.connect(vertx, spark.port, null, null));

    java.util.Set<Integer> instanceObservers = new java.util.HashSet<>();
    for (int i = 0; i < 8; i++) {
      // A new connection each time, so the two instances take turns answering.
      io.vertx.ext.web.client.WebClient once = io.vertx.ext.web.client.WebClient.create(vertx,
          new io.vertx.ext.web.client.WebClientOptions().setKeepAlive(false));
      JsonObject stream = Poll.until("both agents registered with the poller", 10_000, () -> {
        JsonObject s = Await.result(once.get(spark.port, "127.0.0.1", "/health").send()).bodyAsJsonObject().getJsonObject("stream");
        return s.getInteger("agents") == 2 ? s : null;
      });
      once.close();
      assertEquals(3, stream.getInteger("observers"), stream.encode());
      instanceObservers.add(stream.getJsonObject("thisInstance").getInteger("observers"));
    }
    assertTrue(instanceObservers.stream().allMatch(n -> n < 3), "the observers are spread over both instances: " + instanceObservers);
  }
}
