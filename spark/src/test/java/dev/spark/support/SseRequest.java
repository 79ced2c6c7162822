package dev.spark.support;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

import java.util.function.Consumer;

/**
 * Opens a text/event-stream over a real HTTP connection and hands each message block (the text
 * between blank lines) to {@code onBlock}, on the connection's event loop. The body handler is set
 * by a listener attached before the request is sent, so it runs as the response head is handled,
 * before any of the body: set later (a callback chained on the test thread), it could come after the
 * first chunk had arrived and been dropped, since a response without a handler discards its chunks.
 */
public final class SseRequest {
  private SseRequest() {}

  /**
   * The response once it answered 200 (a failed future naming the status otherwise); {@code onClosed},
   * when not null, runs when the stream ends or fails.
   */
  public static Future<HttpClientResponse> open(HttpClient http, RequestOptions options, Consumer<String> onBlock, Runnable onClosed) {
    StringBuilder pending = new StringBuilder();
    return http.request(options).compose(req -> {
      Future<HttpClientResponse> response = req.response().andThen(ar -> {
        if (ar.failed() || ar.result().statusCode() != 200) return;
        HttpClientResponse resp = ar.result();
        resp.handler(chunk -> split(pending, chunk, onBlock));
        if (onClosed != null) {
          resp.exceptionHandler(e -> onClosed.run());
          resp.endHandler(v -> onClosed.run());
        }
      });
      req.end();
      return response;
    }).compose(resp -> resp.statusCode() == 200 ? Future.succeededFuture(resp)
        : Future.failedFuture(options.getURI() + " answered " + resp.statusCode()));
  }

  private static void split(StringBuilder pending, Buffer chunk, Consumer<String> onBlock) {
    pending.append(chunk.toString());
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String block = pending.substring(0, end);
      pending.delete(0, end + 2);
      onBlock.accept(block);
    }
  }
}
