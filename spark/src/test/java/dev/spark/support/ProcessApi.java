package dev.spark.support;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Spark's HTTP API as a client in another process sees it (the JDK's own client, no Vert.x): for
 * tests that start, kill and restart Spark as a process. Each instance has its own connection pool.
 */
public final class ProcessApi {
  private final int port;
  private final String token;
  private final Duration timeout;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public ProcessApi(int port, String token, Duration timeout) {
    this.port = port;
    this.token = token;
    this.timeout = timeout;
  }

  public HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  /** GET that must answer 200; its body as JSON. */
  public JsonObject getJson(String path) {
    HttpResponse<String> r = get(path);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return new JsonObject(r.body());
  }

  public HttpResponse<String> post(String path, String body) {
    return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  public CompletableFuture<HttpResponse<String>> postAsync(String path) {
    return http.sendAsync(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One server-error event with {@code message} (status 500); its id. */
  public long ingest(String message) {
    JsonObject event = new JsonObject().put("type", "server-error").put("status", 500)
        .put("error", new JsonObject().put("message", message));
    HttpResponse<String> r = post("/api/v1/events", event.encode());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("ids").getLong(0);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + token)
        .timeout(timeout);
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri().getPath() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
