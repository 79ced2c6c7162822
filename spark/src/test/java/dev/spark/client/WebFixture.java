package dev.spark.client;

import dev.spark.support.Await;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.Tap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A Vert.x Web app on a free loopback port with {@link SparkWeb} installed, and its HTTP client. */
final class WebFixture {
  final SparkWeb web;
  final HttpServer server;
  final WebClient http;
  final Tap tap;
  final SparkClient client;

  private WebFixture(SparkWeb web, HttpServer server, WebClient http, Tap tap, SparkClient client) {
    this.web = web;
    this.server = server;
    this.http = http;
    this.tap = tap;
    this.client = client;
  }

  /** {@code routes} are added after {@code SparkWeb.install}, as an app that installs Spark first would. */
  static WebFixture start(Vertx vertx, SparkClient client, SparkWebOptions options, Consumer<Router> routes) {
    return start(vertx, client, options, routes, false);
  }

  /** With {@code installLast}, SparkWeb is installed after the app's routes (and failure handlers). */
  static WebFixture start(Vertx vertx, SparkClient client, SparkWebOptions options, Consumer<Router> routes, boolean installLast) {
    Router router = Router.router(vertx);
    Tap tap = new Tap();
    if (installLast) routes.accept(router);
    SparkWeb web = SparkWeb.install(router, client, options.setTap(tap));
    if (!installLast) routes.accept(router);
    HttpServer server = Await.result(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(server.actualPort()));
    return new WebFixture(web, server, http, tap, client);
  }

  /** Waits until {@code count} access-log entries were produced and committed; returns Spark's rows by request id. */
  Map<String, JsonObject> accessRows(SparkUnderTest spark, int count) {
    Await.result(tap.awaitAccess(count));
    Await.result(Tap.committed(web, client));
    // With ingest.instances > 1 the barrier may be committed before the batch it follows (another
    // ingest verticle took it): wait for the rows themselves.
    return dev.spark.support.Poll.until(count + " access rows in Spark", 10_000, () -> {
      Map<String, JsonObject> out = new HashMap<>();
      for (Object o : spark.getJson("/api/v1/access?limit=1000").getJsonArray("access")) {
        JsonObject row = (JsonObject) o;
        if (Tap.BARRIER_PATH.equals(row.getString("path"))) continue;
        if (out.put(row.getString("requestId"), row) != null) throw new AssertionError("two rows with request id " + row.getString("requestId"));
      }
      if (out.size() > count) throw new AssertionError("expected " + count + " access rows, got " + out.size() + ": " + out.values());
      return out.size() == count ? out : null;
    });
  }

  List<JsonObject> events() {
    return tap.events();
  }

  void close() {
    Await.result(server.close());
  }
}
