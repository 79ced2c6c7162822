package dev.spark.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/** A running Spark, over its HTTP API, with the web token (and ingest token) from the configuration. */
final class HttpAccess implements SparkAccess {
  /** How long the probe waits for {@code /health}; a Spark on this machine answers in milliseconds. */
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(1_500);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofMinutes(15);

  private final HttpClient http;
  private final String base;
  private final Settings settings;

  private HttpAccess(HttpClient http, Settings settings) {
    this.http = http;
    this.base = settings.baseUrl();
    this.settings = settings;
  }

  /**
   * A Spark is up when {@code GET /health} answers with Spark's health document ({@code "status"}
   * {@code UP} or {@code DOWN}) within {@link #PROBE_TIMEOUT}; anything else (refused, timed out,
   * some other server on the port) means no Spark. Null when there is none, or web.enabled is false.
   */
  static HttpAccess probe(Settings settings) {
    if (!settings.cfg.web().enabled()) return null;
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROBE_TIMEOUT).build();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(settings.baseUrl() + "/health"))
          .timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      String status = new JsonObject(r.body()).getString("status");
      return "UP".equals(status) || "DOWN".equals(status) ? new HttpAccess(http, settings) : null;
    } catch (IOException | DecodeException | ClassCastException | IllegalArgumentException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public JsonObject events(Map<String, String> params) {
    return call("GET", "/api/v1/events" + query(params), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  @Override
  public JsonObject access(Map<String, String> params) {
    return call("GET", "/api/v1/access" + query(params), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  @Override
  public JsonObject status() {
    return call("GET", "/api/v1/status", null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  @Override
  public JsonObject cleanup() {
    return call("POST", "/api/v1/admin/cleanup", null, settings.cfg.web().token(), ADMIN_TIMEOUT);
  }

  @Override
  public JsonObject vacuum() {
    return call("POST", "/api/v1/admin/vacuum", null, settings.cfg.web().token(), ADMIN_TIMEOUT);
  }

  @Override
  public JsonObject issues(Map<String, String> params) {
    return call("GET", "/api/v1/issues" + query(params), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  @Override
  public JsonObject issue(String fingerprint, Map<String, String> params) {
    return call("GET", "/api/v1/issues/" + segment(fingerprint) + query(params), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  @Override
  public JsonObject issueStatus(String fingerprint, String action) {
    return call("POST", "/api/v1/issues/" + segment(fingerprint) + "/" + segment(action), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  /** {@code GET /api/v1/alerts/deliveries}: the newest deliveries, newest first. */
  JsonObject alertDeliveries(int limit) {
    return call("GET", "/api/v1/alerts/deliveries?limit=" + limit, null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  /** {@code POST /api/v1/alerts/targets/{name}/test}: sends a test alert and says how it went. */
  JsonObject alertTest(String target) {
    return call("POST", "/api/v1/alerts/targets/" + segment(target) + "/test", null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  /** One path segment, percent-encoded (a client's fingerprint may hold spaces or slashes). */
  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code GET /api/v1/fixes} with these query parameters. */
  JsonObject fixes(Map<String, String> params) {
    return call("GET", "/api/v1/fixes" + query(params), null, settings.cfg.web().token(), READ_TIMEOUT);
  }

  /** {@code GET /api/v1/fixes/{id}}, or with {@code action} {@code POST /api/v1/fixes/{id}/{action}} (apply, discard). */
  JsonObject fix(long id, String action) {
    return call(action == null ? "GET" : "POST", "/api/v1/fixes/" + id + (action == null ? "" : "/" + segment(action)), null,
        settings.cfg.web().token(), ADMIN_TIMEOUT);
  }

  @Override
  public JsonObject ingestEvent(JsonObject event) {
    return call("POST", "/api/v1/events", event.encode(), settings.cfg.ingest().token(), READ_TIMEOUT);
  }

  @Override
  public String where() {
    return "Spark at " + base;
  }

  @Override
  public void close() {
    // java.net.http.HttpClient (Java 17) has nothing to close; its threads are daemons.
  }

  private JsonObject call(String method, String pathAndQuery, String body, String token, Duration timeout) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) req.header("Content-Type", "application/json");
    if (token != null && !token.isEmpty()) req.header("Authorization", "Bearer " + token);
    HttpResponse<String> r;
    try {
      r = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new Unavailable("Lost contact with Spark at " + base + " (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("Interrupted while waiting for Spark at " + base);
    }
    JsonObject json = parse(r.body());
    if (r.statusCode() == 200 && json != null) return json;
    String message = json != null && json.getString("message") != null ? json.getString("message") : r.body();
    switch (r.statusCode()) {
      case 401 -> {
        boolean ingest = pathAndQuery.equals("/api/v1/events") && "POST".equals(method);
        throw new CliException("Spark at " + base + " refused the token (401 Unauthorized): set "
            + (ingest ? "ingest.token in the configuration to Spark's ingest token"
                : "SPARK_WEB_TOKEN (or web.token) to the token Spark uses; without one it prints a random token at start"));
      }
      case 400 -> throw new CliException(CliException.USAGE, message);
      case 404, 409 -> throw new CliException(message);
      case 503 -> throw new Unavailable("Spark at " + base + " is unavailable (503): " + message);
      default -> throw new CliException("Spark at " + base + " answered " + r.statusCode() + ": " + message);
    }
  }

  private static JsonObject parse(String body) {
    try {
      return body == null || body.isBlank() ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  static String query(Map<String, String> params) {
    StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
    params.forEach((k, v) -> {
      if (v != null) q.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
    });
    return q.toString();
  }

  /** Spark went away or is refusing work for now (503): a writer may fall back to the database file. */
  static final class Unavailable extends CliException {
    Unavailable(String message) {
      super(message);
    }
  }
}
