package dev.spark.support;

import dev.spark.SparkVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/** A real Spark (SparkVerticle and all it deploys) on a temp SQLite file and a free loopback port. */
public final class SparkUnderTest {
  public static final String TOKEN = "test-token";

  public final Vertx vertx;
  public final Path db;
  public final int port;
  public final JsonObject config;
  private final WebClient client;
  private final Clock clock;
  private String deploymentId;

  private SparkUnderTest(Vertx vertx, Path db, int port, JsonObject config, Clock clock) {
    this.vertx = vertx;
    this.db = db;
    this.port = port;
    this.config = config;
    this.clock = clock;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  /** Starts Spark with test defaults, deep-merged with {@code overrides}. Blocks until deployed. */
  public static SparkUnderTest start(Vertx vertx, Path dir, JsonObject overrides) {
    return start(vertx, dir, overrides, Clock.systemUTC());
  }

  /** As {@link #start(Vertx, Path, JsonObject)}, with the clock storage decides issue cooldowns by. */
  public static SparkUnderTest start(Vertx vertx, Path dir, JsonObject overrides, Clock clock) {
    int port = freePort();
    Path db = dir.resolve("spark.db");
    JsonObject config = new JsonObject()
        .put("environment", "test")
        .put("db", new JsonObject().put("path", db.toString()).put("pollIntervalMs", 60_000))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN).put("instances", 2))
        .put("stream", new JsonObject().put("heartbeatMs", 1_000));
    config = merge(config, overrides == null ? new JsonObject() : overrides);
    SparkUnderTest spark = new SparkUnderTest(vertx, db, port, config, clock);
    spark.deploymentId = Await.result(vertx.deployVerticle(new SparkVerticle(clock), new DeploymentOptions().setConfig(config)));
    return spark;
  }

  public void stop() {
    if (deploymentId == null) return;
    Await.result(vertx.undeploy(deploymentId));
    deploymentId = null;
  }

  /** Stops and starts again on the same file and port. */
  public void restart() {
    stop();
    deploymentId = Await.result(vertx.deployVerticle(new SparkVerticle(clock), new DeploymentOptions().setConfig(config)));
  }

  public WebClient client() {
    return client;
  }

  public Future<HttpResponse<Buffer>> post(String path, Object body) {
    return client.post(path).sendBuffer(Buffer.buffer(body instanceof String s ? s : Json.encode(body)));
  }

  public HttpResponse<Buffer> postNow(String path, Object body) {
    return Await.result(post(path, body));
  }

  /** POSTs with the web token; answers the response whatever its status. */
  public HttpResponse<Buffer> postAuthed(String path, Object body) {
    return Await.result(client.post(path).bearerTokenAuthentication(TOKEN)
        .sendBuffer(Buffer.buffer(body == null ? "" : body instanceof String s ? s : Json.encode(body))));
  }

  public JsonObject getJson(String pathAndQuery) {
    HttpResponse<Buffer> r = Await.result(client.get(pathAndQuery).bearerTokenAuthentication(TOKEN).send());
    if (r.statusCode() != 200) throw new AssertionError("GET " + pathAndQuery + " answered " + r.statusCode() + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Reads the SQLite file directly, independent of Spark's own read path. */
  public long count(String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      throw new AssertionError("Direct read of " + db + " failed: " + e.getMessage(), e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonObject merge(JsonObject base, JsonObject over) {
    JsonObject out = base.copy();
    for (String key : over.fieldNames()) {
      Object mine = out.getValue(key);
      Object theirs = over.getValue(key);
      out.put(key, mine instanceof JsonObject a && theirs instanceof JsonObject b ? merge(a, b) : theirs);
    }
    return out;
  }
}
