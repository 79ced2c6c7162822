package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** POSTs a body to a URL within a time limit and reads the answer's status as an {@link Attempt}. */
final class HttpPoster {
  /** The whole attempt is bounded by timeoutMs; an idle timeout equal to it raced it and a slow receiver read as "Connection was closed". */
  private static final long IDLE_MARGIN_MS = 1_000;
  private final HttpClient http;
  private final long timeoutMs;

  HttpPoster(HttpClient http, long timeoutMs) {
    this.http = http;
    this.timeoutMs = timeoutMs;
  }

  Future<Attempt> post(String url, MultiMap headers, Buffer body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setConnectTimeout(timeoutMs).setIdleTimeout(timeoutMs + IDLE_MARGIN_MS).setFollowRedirects(false);
    options.setHeaders(headers);
    return http.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(ignored -> Attempt.ofHttpStatus(resp.statusCode(), resp.statusMessage())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        // The URL may carry a token (chat webhooks do): errors name the masked URL only.
        .recover(e -> Future.succeededFuture(Attempt.retry(describe(e) + " (POST " + AlertTarget.masked(url) + ")")));
  }

  private static String describe(Throwable e) {
    if (e instanceof TimeoutException) return "no answer in time";
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("https?://\\S+", "…"));
  }
}
