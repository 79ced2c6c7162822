package dev.spark.web;

import dev.spark.config.ConfigLoader;
import dev.spark.support.Await;
import dev.spark.support.LogCapture;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7, item 6: every route Spark serves × every kind of credential, with the status expected,
 * for the embedded server ({@link WebVerticle}, with an {@code ingest.token} set) and the dashboard
 * sidecar ({@link DashboardVerticle}). The routes are read from the servers' own routers, so a
 * route added without a row here fails the test. While it runs, every log record of the JVM is
 * captured at every level: no token and no session id ever appears in one.
 */
@ExtendWith(VertxExtension.class)
class AccessControlTest {
  private static final String WEB_TOKEN = "web-token-Zq8vK2mW";
  private static final String INGEST_TOKEN = "ingest-token-Xw3nB7pL";
  private static final String WRONG_TOKEN = "wrong-token-Pp1sD4tY";

  /** What a request carries. Session cookies are minted for each request, so logging out in one row ends nothing else. */
  enum Cred {
    NONE, WRONG_TOKEN, WEB_TOKEN, INGEST_TOKEN, FORGED_COOKIE, EXPIRED_COOKIE, LOGGED_OUT_COOKIE, SESSION, SESSION_AND_ORIGIN
  }

  /** One row: a route (as the router names it), the request that exercises it, and the status for each credential. */
  record Row(String route, String method, String path, String body, Map<Cred, Integer> expected) {}

  /** Needs the web token, or a session cookie (a state-changing request with the cookie also needs this server's Origin). */
  private static Row read(String route, String path, int ok) {
    return row(route, path, null, c -> switch (c) {
      case WEB_TOKEN, SESSION, SESSION_AND_ORIGIN -> ok;
      default -> 401;
    });
  }

  private static Row write(String route, String path, String body, int ok) {
    return row(route, path, body, c -> switch (c) {
      case WEB_TOKEN, SESSION_AND_ORIGIN -> ok;
      case SESSION -> 403;
      default -> 401;
    });
  }

  /** Needs the ingest token (and only it: the web token and sessions do not open ingest). */
  private static Row ingest(String route, String body) {
    return row(route, route.substring(route.indexOf(' ') + 1), body, c -> c == Cred.INGEST_TOKEN ? 200 : 401);
  }

  /** Sentry's endpoints: the ingest token as the key (here as a Bearer token); another key is 403, none 401. */
  private static Row sentry(String route, String path, String body) {
    return row(route, path, body, c -> c == Cred.INGEST_TOKEN ? 200 : c == Cred.WRONG_TOKEN || c == Cred.WEB_TOKEN ? 403 : 401);
  }

  private static Row open(String route, String path, int status) {
    return row(route, path, null, c -> status);
  }

  private static Row row(String route, String path, String body, Function<Cred, Integer> expected) {
    Map<Cred, Integer> map = new EnumMap<>(Cred.class);
    for (Cred c : Cred.values()) map.put(c, expected.apply(c));
    String method = route.substring(0, route.indexOf(' '));
    return new Row(route, method.equals("*") ? "GET" : method, path, body, map);
  }

  private static final String EVENT = "{\"type\":\"server-error\",\"error\":{\"message\":\"secret-free message\"}}";
  private static final String ACCESS = "{\"method\":\"GET\",\"path\":\"/x\",\"status\":200}";

  /** The dashboard's routes: the same in both servers. */
  private static List<Row> dashboardRows() {
    return List.of(
        read("GET /api/v1/events", "/api/v1/events", 200),
        read("GET /api/v1/events/:id", "/api/v1/events/1", 200),
        read("GET /api/v1/access", "/api/v1/access", 200),
        read("GET /api/v1/access/stats", "/api/v1/access/stats", 200),
        read("GET /api/v1/access/timeline", "/api/v1/access/timeline", 200),
        read("GET /api/v1/dashboard/summary", "/api/v1/dashboard/summary", 200),
        read("GET /api/v1/dashboard/pending", "/api/v1/dashboard/pending?after=0", 200),
        read("GET /api/v1/agent", "/api/v1/agent", 200),
        // no agent runs in these servers (agent.enabled is false; the sidecar never runs one): 503 says why
        write("POST /api/v1/agent/messages", "/api/v1/agent/messages", "{\"text\":\"hi\"}", 503),
        write("POST /api/v1/agent/abort", "/api/v1/agent/abort", "", 503),
        read("GET /api/v1/agent/prompt", "/api/v1/agent/prompt", 200),
        read("GET /api/v1/agent/stream", "/api/v1/agent/stream", 200),
        read("GET /api/v1/issues", "/api/v1/issues", 200),
        read("GET /api/v1/issues/:fingerprint", "/api/v1/issues/no-such-issue", 404),
        write("POST /mcp", "/mcp", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", 200),
        // MCP is POST only (no GET stream): 405 for every caller, before any credential matters
        open("* /mcp", "/mcp", 405),
        read("GET /metrics", "/metrics", 200),
        // the page: a browser without a session is sent to the login page (a bearer token is for scripts, not pages)
        row("GET /", "/", null, c -> c == Cred.SESSION || c == Cred.SESSION_AND_ORIGIN ? 200 : 303),
        row("GET /login", "/login", null, c -> c == Cred.SESSION || c == Cred.SESSION_AND_ORIGIN ? 303 : 200),
        // logging in needs no credential but the token in the form (a wrong one: AccessControlTest#theLoginForm)
        open("POST /auth", "/auth", 303),
        write("POST /logout", "/logout", "", 303),
        open("* /assets/", "/assets/app.js", 200), // the router names the prefix route /assets/* so
        open("GET /favicon.ico", "/favicon.ico", 303));
  }

  private static List<Row> embeddedRows() {
    List<Row> rows = new ArrayList<>(dashboardRows());
    rows.addAll(List.of(
        ingest("POST /api/v1/events", EVENT),
        ingest("POST /api/v1/access", ACCESS),
        sentry("POST /api/:project/envelope/", "/api/1/envelope/", "{}\n{\"type\":\"event\"}\n{\"message\":\"hi\"}\n"),
        sentry("POST /api/:project/store/", "/api/1/store/", "{\"message\":\"hi\"}"),
        read("GET /api/v1/stream", "/api/v1/stream", 200),
        read("GET /api/v1/status", "/api/v1/status", 200),
        write("POST /api/v1/admin/cleanup", "/api/v1/admin/cleanup", "", 200),
        write("POST /api/v1/admin/vacuum", "/api/v1/admin/vacuum", "", 200),
        write("POST /api/v1/issues/:fingerprint/:action", "/api/v1/issues/no-such-issue/resolve", "", 404),
        read("GET /api/v1/fixes", "/api/v1/fixes", 200),
        read("GET /api/v1/fixes/:id", "/api/v1/fixes/1", 404),
        // no agent with branch delivery runs here: apply and discard say so
        write("POST /api/v1/fixes/:id/apply", "/api/v1/fixes/1/apply", "", 503),
        write("POST /api/v1/fixes/:id/discard", "/api/v1/fixes/1/discard", "", 503),
        read("GET /api/v1/alerts", "/api/v1/alerts", 200),
        read("GET /api/v1/alerts/deliveries", "/api/v1/alerts/deliveries", 200),
        write("POST /api/v1/alerts/targets/:name/test", "/api/v1/alerts/targets/no-such-target/test", "", 404),
        open("GET /health", "/health", 200)));
    return rows;
  }

  private static List<Row> sidecarRows() {
    List<Row> rows = new ArrayList<>(dashboardRows());
    rows.addAll(List.of(
        // the sidecar never consumes: an agent gets 409 once authenticated; observing is a plain read
        read("GET /api/v1/stream", "/api/v1/stream?observe=true", 200),
        read("GET /api/v1/stream", "/api/v1/stream", 409),
        // the sidecar is read-only: issue status changes belong to the Spark that writes the file
        write("POST /api/v1/issues/:fingerprint/:action", "/api/v1/issues/no-such-issue/resolve", "", 409),
        // fixes are read from the storage of the Spark in the same Vert.x (this test's sidecar shares one); apply and
        // discard need an agent with branch delivery
        read("GET /api/v1/fixes", "/api/v1/fixes", 200),
        read("GET /api/v1/fixes/:id", "/api/v1/fixes/1", 404),
        write("POST /api/v1/fixes/:id/apply", "/api/v1/fixes/1/apply", "", 503),
        write("POST /api/v1/fixes/:id/discard", "/api/v1/fixes/1/discard", "", 503),
        // alert rules from its configuration, deliveries from the file; it sends nothing, so a test is 409
        read("GET /api/v1/alerts", "/api/v1/alerts", 200),
        read("GET /api/v1/alerts/deliveries", "/api/v1/alerts/deliveries", 200),
        write("POST /api/v1/alerts/targets/:name/test", "/api/v1/alerts/targets/no-such-target/test", "", 409),
        open("GET /health", "/health", 200)));
    return rows;
  }

  @Test
  void everyRouteAnswersEachKindOfCredentialAsTheTableSaysAndNoSecretIsLogged(Vertx vertx, @TempDir Path dir) throws Exception {
    List<String> secrets = new ArrayList<>(List.of(WEB_TOKEN, INGEST_TOKEN, WRONG_TOKEN));
    try (LogCapture logs = LogCapture.start()) {
      // Spark with its HTTP server off; the test deploys the web verticle itself, to read its routes.
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject()
          .put("web", new JsonObject().put("enabled", false).put("token", WEB_TOKEN))
          .put("ingest", new JsonObject().put("token", INGEST_TOKEN)));
      int port = SparkUnderTest.freePort();
      JsonObject resolved = ConfigLoader.load(SparkUnderTest.merge(spark.config,
          new JsonObject().put("web", new JsonObject().put("enabled", true).put("port", port))), Map.of()).json();
      WebVerticle web = new WebVerticle();
      Await.result(vertx.deployVerticle(web, new DeploymentOptions().setConfig(resolved)));
      Client client = new Client(vertx, port, secrets);
      assertEquals(200, client.send("POST", "/api/v1/events", EVENT, Cred.INGEST_TOKEN).statusCode(), "event 1 exists");

      List<String> failures = check(client, embeddedRows(), web.routes());

      // The sidecar, on the same file.
      int sidecarPort = SparkUnderTest.freePort();
      DashboardVerticle sidecar = new DashboardVerticle();
      Await.result(vertx.deployVerticle(sidecar, new DeploymentOptions().setConfig(SparkUnderTest.merge(resolved,
          new JsonObject().put("web", new JsonObject().put("port", sidecarPort))))));
      failures.addAll(check(new Client(vertx, sidecarPort, secrets), sidecarRows(), sidecar.routes()));

      assertEquals(List.of(), failures, failures.size() + " cells of the table differ");

      String logged = logs.text();
      assertTrue(logged.contains("Storage open at"), "the capture sees INFO records");
      assertTrue(logged.contains("HTTP listening on"), "and FINE ones");
      for (String secret : secrets) {
        assertFalse(logged.contains(secret), "a secret was logged: " + secret.substring(0, 6) + "…");
      }
      System.out.printf("access control: %d log records captured, none with any of %d tokens and session ids%n",
          logs.size(), secrets.size());
    }
  }

  @Test
  void theLoginFormTakesOnlyTheWebTokenAndForeignOriginsAreRefused(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", INGEST_TOKEN)));
    Client client = new Client(vertx, spark.port, new ArrayList<>());
    HttpResponse<String> wrong = client.form("token=" + WRONG_TOKEN, null);
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.headers().allValues("Set-Cookie").isEmpty());
    assertEquals(401, client.form("token=" + INGEST_TOKEN, null).statusCode(), "the ingest token is not a login");
    assertEquals(403, client.form("token=" + SparkUnderTest.TOKEN, "http://evil.example").statusCode(), "another site's form");
    HttpResponse<String> right = client.form("token=" + SparkUnderTest.TOKEN, "http://127.0.0.1:" + spark.port);
    assertEquals(303, right.statusCode());
    String cookie = right.headers().firstValue("Set-Cookie").orElseThrow();
    String lower = cookie.toLowerCase(java.util.Locale.ROOT);
    assertTrue(cookie.startsWith(Sessions.COOKIE + "=") && lower.contains("httponly") && lower.contains("samesite=strict"), cookie);
  }

  // ---- the table -----------------------------------------------------------------------------

  private static List<String> check(Client client, List<Row> rows, Router router) throws Exception {
    List<String> failures = new ArrayList<>();
    Set<String> served = new TreeSet<>();
    walk(router, "", served);
    Set<String> tabled = new TreeSet<>();
    for (Row r : rows) tabled.add(r.route());
    Set<String> missing = new TreeSet<>(served);
    missing.removeAll(tabled);
    Set<String> stale = new TreeSet<>(tabled);
    stale.removeAll(served);
    for (String m : missing) failures.add(m + " is served but has no row in the access-control table: add one with its expected statuses");
    for (String s : stale) failures.add(s + " has a row but is not served");

    for (Row row : rows) {
      for (Cred cred : Cred.values()) {
        HttpResponse<String> r = client.send(row.method(), row.path(), row.body(), cred);
        int expected = row.expected().get(cred);
        if (r.statusCode() != expected) {
          failures.add(row.method() + " " + row.path() + " with " + cred + ": expected " + expected + ", got " + r.statusCode() + " " + r.body());
        } else if (expected == 401) {
          // refused before anything was read: the standard answer, nothing more
          JsonObject body = new JsonObject(r.body());
          if (!"unauthorized".equals(body.getString("error")) || r.headers().firstValue("WWW-Authenticate").isEmpty()) {
            failures.add(row.method() + " " + row.path() + " with " + cred + ": a 401 without the standard body and header: " + r.body());
          }
        }
      }
    }
    return failures;
  }

  /** "METHOD /path" for every route with a path, "*" for any method; sub-routers are followed with their mount prefix. */
  private static void walk(Router router, String prefix, Set<String> out) {
    for (Route route : router.getRoutes()) {
      String path = route.getPath() == null && route.isRegexPath() ? route.getName() : route.getPath();
      Router sub = route.getSubRouter();
      if (sub != null) {
        walk(sub, prefix + (path == null ? "" : path.endsWith("/") ? path.substring(0, path.length() - 1) : path), out);
      } else if (path != null) {
        Set<HttpMethod> methods = route.methods();
        if (methods == null || methods.isEmpty()) out.add("* " + prefix + path);
        else for (HttpMethod m : methods) out.add(m.name() + " " + prefix + path);
      }
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  private static final class Client {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    private final int port;
    private final Sessions sessions;
    private final Vertx vertx;
    private final List<String> secrets;

    Client(Vertx vertx, int port, List<String> secrets) {
      this.vertx = vertx;
      this.port = port;
      this.secrets = secrets;
      this.sessions = new Sessions(vertx, WEB_TOKEN);
    }

    HttpResponse<String> send(String method, String path, String body, Cred cred) throws Exception {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
      if (path.equals("/auth")) {
        req.header("Content-Type", "application/x-www-form-urlencoded");
        body = "token=" + WEB_TOKEN;
      } else if (body != null) {
        req.header("Content-Type", "application/json");
      }
      req.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      switch (cred) {
        case NONE -> { }
        case WRONG_TOKEN -> req.header("Authorization", "Bearer " + WRONG_TOKEN);
        case WEB_TOKEN -> req.header("Authorization", "Bearer " + WEB_TOKEN);
        case INGEST_TOKEN -> req.header("Authorization", "Bearer " + INGEST_TOKEN);
        case FORGED_COOKIE -> req.header("Cookie", Sessions.COOKIE + "=" + secret(randomId()));
        case EXPIRED_COOKIE -> req.header("Cookie", Sessions.COOKIE + "=" + secret(expiredSession()));
        case LOGGED_OUT_COOKIE -> req.header("Cookie", Sessions.COOKIE + "=" + secret(loggedOutSession()));
        case SESSION -> req.header("Cookie", Sessions.COOKIE + "=" + secret(sessions.create()));
        case SESSION_AND_ORIGIN -> req.header("Cookie", Sessions.COOKIE + "=" + secret(sessions.create()))
            .header("Origin", "http://127.0.0.1:" + port);
      }
      if (path.startsWith("/api/v1/stream") || path.startsWith("/api/v1/agent/stream")) {
        // an event stream never ends: take the status, then hang up
        HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        String text = r.statusCode() == 200 ? "(stream)" : new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        r.body().close();
        return new Fixed(r, text);
      }
      return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> form(String body, String origin) throws Exception {
      HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/auth"))
          .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body));
      if (origin != null) req.header("Origin", origin);
      return http.send(req.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String secret(String id) {
      secrets.add(id);
      return id;
    }

    /** A session that was live 12 hours ago and has seen no request since: past Sessions.IDLE_MS. */
    private String expiredSession() throws Exception {
      String id = randomId();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(WEB_TOKEN.getBytes(StandardCharsets.UTF_8));
      vertx.sharedData().<String, Long>getLocalMap("spark.web.sessions." + HexFormat.of().formatHex(digest, 0, 8))
          .put(id, System.currentTimeMillis() - Sessions.IDLE_MS - 1_000);
      return id;
    }

    /** A session ended by POST /logout. */
    private String loggedOutSession() throws Exception {
      String id = sessions.create();
      HttpResponse<String> out = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/logout"))
          .header("Cookie", Sessions.COOKIE + "=" + id).header("Origin", "http://127.0.0.1:" + port)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(303, out.statusCode(), "logged out");
      return id;
    }

    private static String randomId() {
      byte[] bytes = new byte[32];
      new SecureRandom().nextBytes(bytes);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
  }

  /** A streamed response, reduced to its status, headers and the text read. */
  private record Fixed(HttpResponse<InputStream> r, String body) implements HttpResponse<String> {
    @Override public int statusCode() { return r.statusCode(); }
    @Override public HttpRequest request() { return r.request(); }
    @Override public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
    @Override public java.net.http.HttpHeaders headers() { return r.headers(); }
    @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return r.sslSession(); }
    @Override public URI uri() { return r.uri(); }
    @Override public HttpClient.Version version() { return r.version(); }
  }
}
