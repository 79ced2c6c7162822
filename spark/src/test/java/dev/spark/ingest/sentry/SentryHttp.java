package dev.spark.ingest.sentry;

import dev.spark.support.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Raw HTTP for the Sentry endpoint tests: any headers, fixed-length or chunked bodies; and direct reads of the file. */
final class SentryHttp {
  record Answer(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx;
  private final int port;

  SentryHttp(Vertx vertx, int port) {
    this.vertx = vertx;
    this.port = port;
  }

  /**
   * Each request on a client of its own, closed after the answer: many cases are answered before their
   * body is read (a wrong key, a declared size over the limit) and a shared client's pool could carry
   * a half-written request into the next case; what is tested here is Spark's answer to each request.
   */
  Answer post(String path, Map<String, String> headers, byte[] body, boolean chunked) {
    return exchange(new RequestOptions().setMethod(HttpMethod.POST).setURI(path), headers,
        req -> chunked ? sendChunked(req, body) : req.send(Buffer.buffer(body)));
  }

  Answer options(String path, Map<String, String> headers) {
    return exchange(new RequestOptions().setMethod(HttpMethod.OPTIONS).setURI(path), headers, HttpClientRequest::send);
  }

  /**
   * The client, the request and the reading of the answer all on one event-loop context, and the body
   * asked for in the same callback that receives the response head. Vert.x 5.0.10 can drop the end
   * of a response whose {@code body()} is asked for from another thread than the connection's
   * (eclipse-vertx/vert.x#6038, fixed in 5.0.11): the test then waited 30 s for an answer the server
   * had already sent, and a resent event was (rightly) stored once.
   */
  private Answer exchange(RequestOptions options, Map<String, String> headers,
                          Function<HttpClientRequest, Future<HttpClientResponse>> send) {
    Context context = vertx.getOrCreateContext();
    Promise<Answer> answer = Promise.promise();
    context.runOnContext(v -> {
      HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
      http.request(options.setHost("127.0.0.1").setPort(port))
          .compose(req -> {
            headers.forEach(req::putHeader);
            return send.apply(req);
          })
          .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b.toString())))
          .onComplete(ar -> {
            http.close();
            answer.handle(ar);
          });
    });
    return Await.result(answer.future());
  }

  /** Transfer-Encoding: chunked, no Content-Length, the body in three writes. */
  private static Future<HttpClientResponse> sendChunked(HttpClientRequest req, byte[] body) {
    req.setChunked(true);
    int third = body.length / 3;
    req.write(Buffer.buffer(Arrays.copyOfRange(body, 0, third)));
    req.write(Buffer.buffer(Arrays.copyOfRange(body, third, 2 * third)));
    req.end(Buffer.buffer(Arrays.copyOfRange(body, 2 * third, body.length)));
    return req.response();
  }

  void close() {
    // nothing kept open: each request had a client of its own
  }

  /** The first column of every row {@code sql} selects, as text (read straight from the SQLite file). */
  static List<String> column(Path db, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) out.add(rs.getString(1));
      return out;
    } catch (SQLException e) {
      throw new AssertionError("Direct read of " + db + " failed: " + e.getMessage(), e);
    }
  }
}
