package dev.spark;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** The admin and read side, with a connection pool of its own per Spark process. */
final class CrashTestApi {
  static final String TOKEN = "crash-token";
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  CrashTestApi(int port) {
    this.port = port;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Authorization", "Bearer " + CrashTestApi.TOKEN)
        .timeout(Duration.ofMinutes(5));
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(request(path).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws Exception {
    return post(path, "");
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path) {
    return http.sendAsync(request(path).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  int agents() throws Exception {
    HttpResponse<String> r = get("/health");
    return new JsonObject(r.body()).getJsonObject("poller").getInteger("agents");
  }
}
