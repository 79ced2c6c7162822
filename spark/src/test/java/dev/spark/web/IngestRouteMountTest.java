package dev.spark.web;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ingest routes are mounted on the root router under their full paths (not through the
 * {@code /api/v1} sub-router). Every answer here is the one the sub-router mount gave (checked against
 * the build before the change): they run after the request guard, {@code GET /api/v1/events} is still
 * the authenticated read, a trailing slash still ingests, and paths or methods beside them get the JSON 404.
 */
@ExtendWith(VertxExtension.class)
class IngestRouteMountTest {
  private static final String EVENT = "{\"type\":\"rate-limit\"}";

  @Test
  void ingestRoutesAnswerAfterTheGuardAndTheirNeighboursAnswerAsBefore(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject());
    assertEquals(200, spark.postNow("/api/v1/events", EVENT).statusCode());
    assertEquals(200, spark.postNow("/api/v1/access", "{\"method\":\"GET\",\"path\":\"/x\",\"status\":200}").statusCode());

    assertEquals(401, send(spark, HttpMethod.GET, "/api/v1/events", false).statusCode());
    HttpResponse<Buffer> read = send(spark, HttpMethod.GET, "/api/v1/events", true);
    assertEquals(200, read.statusCode(), read.bodyAsString());
    assertEquals(1, read.bodyAsJsonObject().getJsonArray("events").size());
    for (String[] c : new String[][] {{"POST", "/api/v1/eventsx"}, {"PUT", "/api/v1/access"}}) {
      HttpResponse<Buffer> r = send(spark, HttpMethod.valueOf(c[0]), c[1], true);
      assertEquals(404, r.statusCode(), c[0] + " " + c[1] + ": " + r.bodyAsString());
      assertEquals("not_found", r.bodyAsJsonObject().getString("error"));
    }
    HttpResponse<Buffer> slash = send(spark, HttpMethod.POST, "/api/v1/events/", false);
    assertEquals(200, slash.statusCode(), slash.bodyAsString());
    // The guard still runs first: a foreign Host is refused before anything is stored.
    HttpResponse<Buffer> rebound = Await.result(spark.client().post("/api/v1/events").putHeader("Host", "evil.example")
        .sendBuffer(Buffer.buffer(EVENT)));
    assertEquals(421, rebound.statusCode(), rebound.bodyAsString());
    assertEquals(2, spark.count("SELECT count(*) FROM events"));
  }

  private static HttpResponse<Buffer> send(SparkUnderTest spark, HttpMethod method, String path, boolean authed) {
    var req = spark.client().request(method, path);
    if (authed) req.bearerTokenAuthentication(SparkUnderTest.TOKEN);
    return Await.result(method == HttpMethod.GET ? req.send() : req.sendBuffer(Buffer.buffer(EVENT)));
  }
}
