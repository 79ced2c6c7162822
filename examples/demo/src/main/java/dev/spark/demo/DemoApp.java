package dev.spark.demo;

import dev.spark.Spark;
import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import dev.spark.client.UnhandledErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A small shop on Vert.x Web, wired to Spark, with a real bug to catch.
 *
 * <p>Features (named routes): {@code home} ({@code GET /}), {@code list-products}
 * ({@code GET /api/products}), {@code get-product} ({@code GET /api/products/:id}), {@code sign-up}
 * ({@code POST /api/users}) and {@code search} ({@code GET /api/search?q=}, rate limited to
 * {@value #SEARCH_LIMIT} requests per {@value #SEARCH_WINDOW_MS} ms per client).
 *
 * <p>The bug: {@code sign-up} inserts into a table {@code users}, but the schema creates the table
 * {@code accounts}. SQLite answers "no such table: users", the request fails with a 500, and Spark
 * records a {@code server-error} with the stack, the feature and the request's input (the password
 * redacted).
 *
 * <p>Run it with {@code examples/demo/run}: {@link #main} deploys Spark into the same Vert.x
 * ({@link Spark#deploy}), installs {@link SparkWeb} on the router and {@link UnhandledErrors}. With
 * {@code --cluster} it deploys no Spark: it joins Spark's cluster ({@link DemoCluster}) and the same
 * client reaches the Spark process over the clustered event bus.
 */
public final class DemoApp {
  static final int SEARCH_LIMIT = 3;
  static final long SEARCH_WINDOW_MS = 10_000;

  private final Vertx vertx;
  private final Pool db;
  private final HttpServer server;
  private final SparkWeb sparkWeb;
  private final Map<String, Deque<Long>> searches = new ConcurrentHashMap<>();

  private DemoApp(Vertx vertx, Pool db, HttpServer server, SparkWeb sparkWeb) {
    this.vertx = vertx;
    this.db = db;
    this.server = server;
    this.sparkWeb = sparkWeb;
  }

  /**
   * Starts the demo on {@code host:port} (0: any free port) with its own SQLite file {@code dbFile},
   * reporting to Spark through {@code client} with {@code webOptions}.
   */
  public static Future<DemoApp> start(Vertx vertx, SparkClient client, SparkWebOptions webOptions, String host, int port,
      Path dbFile) {
    try {
      if (dbFile.getParent() != null) Files.createDirectories(dbFile.getParent());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    Pool db = JDBCPool.pool(vertx,
        new JDBCConnectOptions().setJdbcUrl("jdbc:sqlite:" + dbFile.toAbsolutePath() + "?busy_timeout=5000"),
        new PoolOptions().setMaxSize(2));
    Router router = Router.router(vertx);
    // One call wires the router to Spark: access logs, request ids, server errors, rate limits.
    SparkWeb web = SparkWeb.install(router, client, webOptions);
    HttpServer server = vertx.createHttpServer();
    DemoApp app = new DemoApp(vertx, db, server, web);
    app.routes(router);
    return app.schema()
        .compose(v -> server.requestHandler(router).listen(port, host))
        .map(app)
        .recover(e -> db.close().transform(x -> Future.failedFuture(e)));
  }

  public int port() {
    return server.actualPort();
  }

  public SparkWeb sparkWeb() {
    return sparkWeb;
  }

  public Future<Void> close() {
    sparkWeb.flush();
    return server.close().eventually(db::close);
  }

  private Future<Void> schema() {
    return db.query("CREATE TABLE IF NOT EXISTS products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL)").execute()
        .compose(r -> db.query("CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL)").execute())
        .compose(r -> db.query("INSERT OR IGNORE INTO products (id, name, price_cents) VALUES "
            + "(1, 'Spark plug', 499), (2, 'Flux capacitor', 8800000), (3, 'Rubber duck', 250)").execute())
        .mapEmpty();
  }

  private void routes(Router router) {
    router.route().handler(BodyHandler.create(false).setBodyLimit(64 * 1024));

    router.get("/").setName("home").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; charset=utf-8")
        .end("Spark demo shop. Try: GET /api/products, GET /api/products/1, POST /api/users, GET /api/search?q=duck\n"));

    router.get("/api/products").setName("list-products").handler(ctx ->
        db.query("SELECT id, name, price_cents FROM products ORDER BY id").execute()
            .onSuccess(rows -> {
              JsonArray out = new JsonArray();
              for (Row row : rows) out.add(product(row));
              ctx.json(new JsonObject().put("products", out));
            })
            .onFailure(ctx::fail));

    router.get("/api/products/:id").setName("get-product").handler(ctx -> {
      long id;
      try {
        id = Long.parseLong(ctx.pathParam("id"));
      } catch (NumberFormatException e) {
        ctx.response().setStatusCode(400);
        ctx.json(new JsonObject().put("error", "id must be a number"));
        return;
      }
      db.preparedQuery("SELECT id, name, price_cents FROM products WHERE id = ?").execute(Tuple.of(id))
          .onSuccess(rows -> {
            if (rows.size() == 0) {
              ctx.response().setStatusCode(404);
              ctx.json(new JsonObject().put("error", "no product " + id));
            } else {
              ctx.json(product(rows.iterator().next()));
            }
          })
          .onFailure(ctx::fail);
    });

    router.post("/api/users").setName("sign-up").handler(this::signUp);

    router.get("/api/search").setName("search").handler(this::search);

    // The app's own failure handler: a JSON error with the request id, whatever failed.
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json");
      ctx.end(new JsonObject()
          .put("error", status >= 500 ? "Something went wrong on our side" : "Request failed")
          .put("status", status)
          .put("requestId", SparkWeb.requestId(ctx))
          .encode());
    });
  }

  private void signUp(RoutingContext ctx) {
    JsonObject body;
    try {
      body = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null || body.getString("email") == null || body.getString("password") == null) {
      ctx.response().setStatusCode(400);
      ctx.json(new JsonObject().put("error", "send {\"email\": ..., \"password\": ...}"));
      return;
    }
    String hash = Integer.toHexString(body.getString("password").hashCode()); // a demo, not a password hash
    // BUG: the table is called "accounts" (see schema()); this fails with "no such table: users".
    db.preparedQuery("INSERT INTO users (email, password_hash) VALUES (?, ?)")
        .execute(Tuple.of(body.getString("email"), hash))
        .onSuccess(r -> {
          ctx.response().setStatusCode(201);
          ctx.json(new JsonObject().put("email", ctx.body().asJsonObject().getString("email")));
        })
        .onFailure(ctx::fail);
  }

  private void search(RoutingContext ctx) {
    String client = ctx.request().remoteAddress() == null ? "?" : ctx.request().remoteAddress().host();
    long now = System.currentTimeMillis();
    Deque<Long> recent = searches.computeIfAbsent(client, k -> new ArrayDeque<>());
    synchronized (recent) {
      while (!recent.isEmpty() && now - recent.peekFirst() >= SEARCH_WINDOW_MS) recent.pollFirst();
      if (recent.size() >= SEARCH_LIMIT) {
        long retryAfter = Math.max(1, (SEARCH_WINDOW_MS - (now - recent.peekFirst()) + 999) / 1000);
        ctx.response().setStatusCode(429)
            .putHeader("Retry-After", String.valueOf(retryAfter))
            .putHeader("X-RateLimit-Limit", String.valueOf(SEARCH_LIMIT));
        ctx.json(new JsonObject().put("error", "too many searches; retry in " + retryAfter + " s"));
        return;
      }
      recent.addLast(now);
    }
    String q = ctx.request().getParam("q", "");
    db.preparedQuery("SELECT id, name, price_cents FROM products WHERE name LIKE ? ORDER BY id").execute(Tuple.of("%" + q + "%"))
        .onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row row : rows) out.add(product(row));
          ctx.json(new JsonObject().put("q", q).put("products", out));
        })
        .onFailure(ctx::fail);
  }

  private static JsonObject product(Row row) {
    return new JsonObject().put("id", row.getLong("id")).put("name", row.getString("name"))
        .put("priceCents", row.getLong("price_cents"));
  }

  /**
   * {@code examples/demo/run [--port=8080] [--spark-conf=conf/spark.json] [--db=.demo/demo.db]}: one
   * Vert.x with Spark (HTTP API on its configured port, 8081 by default) and the demo shop.
   * {@code examples/demo/run --cluster [--cluster-config=conf/cluster.xml] [--cluster-host=127.0.0.1]}:
   * no Spark here; the shop joins Spark's Hazelcast cluster and reports to the Spark process there.
   */
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("DEMO_PORT", "8080"));
    Path sparkConf = null;
    Path dbFile = Path.of(".demo/demo.db");
    boolean cluster = false;
    Path clusterConfig = null;
    String clusterHost = null;
    for (String arg : args) {
      if (arg.startsWith("--port=")) port = Integer.parseInt(arg.substring(7));
      else if (arg.startsWith("--spark-conf=")) sparkConf = Path.of(arg.substring(13));
      else if (arg.startsWith("--db=")) dbFile = Path.of(arg.substring(5));
      else if (arg.equals("--cluster")) cluster = true;
      else if (arg.startsWith("--cluster-config=")) clusterConfig = Path.of(arg.substring(17));
      else if (arg.startsWith("--cluster-host=")) clusterHost = arg.substring(15);
      else usage(null);
    }
    if (cluster && sparkConf != null) usage("--spark-conf is Spark's own configuration: with --cluster, Spark runs in its own process");
    if (!cluster && (clusterConfig != null || clusterHost != null)) usage("--cluster-config and --cluster-host go with --cluster");
    int demoPort = port;
    Path demoDb = dbFile;
    if (cluster) {
      // As Spark's launcher: -Dvertx.hazelcast.config names another file than conf/cluster.xml.
      Path xml = clusterConfig != null ? clusterConfig : Path.of(System.getProperty("vertx.hazelcast.config", "conf/cluster.xml"));
      DemoCluster.join(xml, clusterHost == null ? "127.0.0.1" : clusterHost)
          .onSuccess(joined -> {
            System.out.println(joined.describe());
            run(joined.vertx(), Future::succeededFuture, demoPort, demoDb);
          })
          .onFailure(e -> {
            System.err.println("Could not start: " + e.getMessage());
            System.exit(1);
          });
    } else {
      Path conf = sparkConf == null ? Path.of("conf/spark.json") : sparkConf;
      JsonObject json = Files.exists(conf) ? new JsonObject(Files.readString(conf)) : new JsonObject();
      Vertx vertx = Vertx.vertx();
      run(vertx, () -> Spark.deploy(vertx, json), demoPort, demoDb);
    }
  }

  /** The client and the error handlers, then {@code spark} (deployed here, or nothing on a cluster), then the shop. */
  private static void run(Vertx vertx, Supplier<Future<?>> spark, int port, Path dbFile) {
    SparkClient client = SparkClient.create(vertx);
    UnhandledErrors.install(vertx, client);
    spark.get().compose(v -> start(vertx, client, new SparkWebOptions(), "127.0.0.1", port, dbFile))
        .onSuccess(app -> {
          System.out.println("Demo shop on http://127.0.0.1:" + app.port() + " (its database: " + dbFile + ")");
          System.out.println("Trigger the bug: curl -s -X POST localhost:" + app.port()
              + "/api/users -H 'Content-Type: application/json' -d '{\"email\":\"ada@example.com\",\"password\":\"hunter2\"}'");
          Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
              vertx.close().toCompletionStage().toCompletableFuture().get();
            } catch (Exception ignored) {
              // shutting down anyway
            }
          }, "demo-shutdown"));
        })
        .onFailure(e -> {
          System.err.println("Could not start: " + e.getMessage());
          vertx.close().onComplete(v -> System.exit(1));
        });
  }

  private static void usage(String problem) {
    if (problem != null) System.err.println(problem);
    System.err.println("Usage: examples/demo/run [--port=8080] [--spark-conf=conf/spark.json] [--db=.demo/demo.db]\n"
        + "       examples/demo/run --cluster [--cluster-config=conf/cluster.xml] [--cluster-host=127.0.0.1] [--port=8080] [--db=.demo/demo.db]");
    System.exit(64);
  }
}
