package dev.spark.query;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /api/v1/issues, GET /api/v1/issues/{fingerprint}, POST .../resolve|mute|reopen over real HTTP. */
@ExtendWith(VertxExtension.class)
class IssuesApiTest {

  static JsonObject javaError(String message, String... frames) {
    StringBuilder stack = new StringBuilder("java.sql.SQLException: " + message);
    for (String f : frames) stack.append("\n\tat ").append(f);
    stack.append("\n\tat io.vertx.core.impl.ContextImpl.emit(ContextImpl.java:342)\n\tat java.base/java.lang.Thread.run(Thread.java:840)");
    return new JsonObject().put("type", "server-error").put("status", 500)
        .put("error", new JsonObject().put("message", message).put("stack", stack.toString()));
  }

  static List<String> fingerprints(SparkUnderTest spark, JsonArray events) {
    var res = spark.postNow("/api/v1/events", events);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    return res.bodyAsJsonObject().getJsonArray("ids").stream()
        .map(id -> spark.getJson("/api/v1/events/" + id).getString("fingerprint")).toList();
  }

  @Test
  void differentCodeLocationsAreDifferentIssuesAndOtherLinesOfOneMethodAreOne(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    String message = "database is locked";
    List<String> fps = fingerprints(spark, new JsonArray()
        // bug 1: thrown in Users.create, at two different lines
        .add(javaError(message, "dev.shop.Users.create(Users.java:41)", "dev.shop.Routes.signUp(Routes.java:88)"))
        .add(javaError(message, "dev.shop.Users.create(Users.java:63)", "dev.shop.Routes.signUp(Routes.java:88)"))
        // bug 2: the same message from Orders.place
        .add(javaError(message, "dev.shop.Orders.place(Orders.java:41)", "dev.shop.Routes.checkout(Routes.java:120)")));
    assertEquals(fps.get(0), fps.get(1), "the same bug from two line numbers of one method: one issue");
    assertNotEquals(fps.get(0), fps.get(2), "the same message from another place in the code: another issue");

    JsonObject list = spark.getJson("/api/v1/issues");
    assertEquals(2, list.getInteger("count"));
    JsonObject first = list.getJsonArray("issues").getJsonObject(0);
    assertEquals(fps.get(0), first.getString("fingerprint"), "sorted by count: the bug seen twice first");
    assertEquals(2, first.getLong("count"));
    assertEquals("open", first.getString("status"));
    assertEquals("java.sql.SQLException", first.getString("errorClass"));
    assertEquals("dev.shop.Users.create", first.getString("culprit"));
    assertEquals(message, first.getString("message"));
    assertEquals(1, list.getJsonArray("issues").getJsonObject(1).getLong("count"));
    assertEquals(2, spark.count("SELECT count(*) FROM issues"));
  }

  @Test
  void listingFiltersSortsLimitsAndDrawsHours(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    Instant now = Instant.now();
    JsonArray events = new JsonArray();
    for (int i = 0; i < 3; i++) events.add(error("often", now.minus(2, ChronoUnit.HOURS)));
    events.add(error("often", now));
    events.add(error("lately", now.plusSeconds(1)));
    events.add(error("rarely", now.minus(30, ChronoUnit.HOURS)));
    List<String> fps = fingerprints(spark, events);
    String often = fps.get(0);
    String lately = fps.get(4);
    String rarely = fps.get(5);

    assertEquals(List.of(often, lately, rarely), fingerprintsOf(spark.getJson("/api/v1/issues?sort=count")),
        "most occurrences first, then the most recently seen");
    assertEquals(List.of(often, lately, rarely), fingerprintsOf(spark.getJson("/api/v1/issues")), "count is the default");
    assertEquals(List.of(lately, often, rarely), fingerprintsOf(spark.getJson("/api/v1/issues?sort=lastSeen")));
    assertEquals(List.of(lately), fingerprintsOf(spark.getJson("/api/v1/issues?sort=last-seen&limit=1")));

    JsonObject withHours = spark.getJson("/api/v1/issues?hours=3&sort=count&limit=1");
    JsonObject oftenIssue = withHours.getJsonArray("issues").getJsonObject(0);
    assertEquals(new JsonArray().add(3).add(0).add(1), oftenIssue.getJsonArray("hourly"),
        "per hour, oldest first, the current hour last");
    assertEquals(withHours.getString("hourlyFrom"), now.truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).toString().substring(0, 13));

    assertEquals(400, get(spark, "/api/v1/issues?status=gone").statusCode());
    assertEquals(400, get(spark, "/api/v1/issues?sort=name").statusCode());
    assertEquals(400, get(spark, "/api/v1/issues?limit=0").statusCode());
    assertEquals(401, Await.result(spark.client().get("/api/v1/issues").send()).statusCode());
  }

  @Test
  void oneIssueWithItsRecentEventsAndStatusChanges(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    JsonArray events = new JsonArray();
    for (int i = 0; i < 25; i++) events.add(error("often", Instant.now().minusSeconds(25 - i)));
    String fp = fingerprints(spark, events).get(0);

    JsonObject detail = spark.getJson("/api/v1/issues/" + fp);
    assertEquals(25, detail.getJsonObject("issue").getLong("count"));
    assertEquals(20, detail.getJsonArray("events").size(), "the newest 20 by default");
    assertEquals(25, detail.getJsonArray("events").getJsonObject(0).getLong("id"), "newest first");
    assertEquals(24, detail.getJsonArray("hourly").size());
    assertEquals(25, detail.getJsonArray("hourly").stream().mapToLong(n -> ((Number) n).longValue()).sum());
    assertEquals(3, spark.getJson("/api/v1/issues/" + fp + "?events=3").getJsonArray("events").size());
    assertEquals(404, get(spark, "/api/v1/issues/nope").statusCode());

    assertEquals(401, Await.result(spark.client().post("/api/v1/issues/" + fp + "/resolve").send()).statusCode());
    HttpResponse<Buffer> resolved = spark.postAuthed("/api/v1/issues/" + fp + "/resolve", null);
    assertEquals(200, resolved.statusCode(), resolved.bodyAsString());
    assertEquals("resolved", resolved.bodyAsJsonObject().getJsonObject("issue").getString("status"));
    assertEquals(List.of(fp), fingerprintsOf(spark.getJson("/api/v1/issues?status=resolved")));
    assertEquals(List.of(), fingerprintsOf(spark.getJson("/api/v1/issues?status=open")));
    assertEquals("muted", spark.postAuthed("/api/v1/issues/" + fp + "/mute", null).bodyAsJsonObject()
        .getJsonObject("issue").getString("status"));
    assertEquals("open", spark.postAuthed("/api/v1/issues/" + fp + "/reopen", null).bodyAsJsonObject()
        .getJsonObject("issue").getString("status"));
    assertEquals(1, spark.count("SELECT count(*) FROM issues WHERE status = 'open'"));
    assertEquals(404, spark.postAuthed("/api/v1/issues/nope/resolve", null).statusCode());
    assertEquals(404, spark.postAuthed("/api/v1/issues/" + fp + "/delete", null).statusCode());
  }

  @Test
  void aClientFingerprintIsItsIssuesName(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    for (String name : new String[] {"checkout timeout", "payments/stripe: 502"}) {
      spark.postNow("/api/v1/events", error("x", Instant.now()).put("fingerprint", name));
      String path = "/api/v1/issues/" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
      assertEquals(name, spark.getJson(path).getJsonObject("issue").getString("fingerprint"));
      assertEquals(200, spark.postAuthed(path + "/mute", null).statusCode());
    }
    assertEquals(2, spark.count("SELECT count(*) FROM issues WHERE status = 'muted'"));
    assertEquals(400, spark.postNow("/api/v1/events", error("x", Instant.now()).put("fingerprint", "")).statusCode());
  }

  static JsonObject error(String what, Instant at) {
    return new JsonObject().put("type", "server-error").put("timestamp", at.toString())
        .put("error", new JsonObject().put("message", what + " failed")
            .put("stack", "Error: " + what + " failed\n    at " + what + " (/app/src/" + what + ".ts:1:1)"));
  }

  static List<String> fingerprintsOf(JsonObject list) {
    return list.getJsonArray("issues").stream().map(o -> ((JsonObject) o).getString("fingerprint")).toList();
  }

  static HttpResponse<Buffer> get(SparkUnderTest spark, String path) {
    return Await.result(spark.client().get(path).bearerTokenAuthentication(SparkUnderTest.TOKEN).send());
  }
}
