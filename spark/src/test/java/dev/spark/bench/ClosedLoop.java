package dev.spark.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.LongFunction;

/**
 * A closed-loop load driver: keeps exactly {@code inFlight} requests outstanding for a fixed time,
 * all issued from (and completed on) one Vert.x context. When the time is up it stops issuing and
 * waits for every outstanding request, so every acknowledgement is counted and the database can be
 * checked afterwards. A 503 is counted apart and its slot pauses 10 ms before trying again.
 */
public final class ClosedLoop {
  /** What one request got back: the HTTP-like status and, on 200, the ids array of the answer. */
  public record Outcome(int status, JsonArray ids, String error) {
    public static Outcome ok(JsonArray ids) {
      return new Outcome(200, ids, null);
    }

    public static Outcome failed(int status, String error) {
      return new Outcome(status, null, error);
    }
  }

  private final Context context;
  private final int inFlight;
  private final int rowsPerRequest;
  private final LongFunction<Future<Outcome>> op;
  private final RunStats stats;
  private long deadline;
  private long issued;
  private int active;
  private final Promise<RunStats> done = Promise.promise();

  private ClosedLoop(Context context, int inFlight, int rowsPerRequest, LongFunction<Future<Outcome>> op, RunStats stats) {
    this.context = context;
    this.inFlight = inFlight;
    this.rowsPerRequest = rowsPerRequest;
    this.op = op;
    this.stats = stats;
  }

  /** {@code op} gets the request's sequence number and must not block. */
  public static Future<RunStats> run(Context context, double seconds, int inFlight, int rowsPerRequest,
      LongFunction<Future<Outcome>> op, RunStats stats) {
    ClosedLoop loop = new ClosedLoop(context, inFlight, rowsPerRequest, op, stats);
    context.runOnContext(v -> loop.start(seconds));
    return loop.done.future();
  }

  private void start(double seconds) {
    stats.startNanos = System.nanoTime();
    issued = stats.firstSeq;
    deadline = stats.startNanos + (long) (seconds * 1e9);
    active = inFlight;
    for (int i = 0; i < inFlight; i++) next();
  }

  private void next() {
    if (System.nanoTime() >= deadline) {
      if (--active == 0) {
        stats.endNanos = System.nanoTime();
        stats.nextSeq = issued;
        done.complete(stats);
      }
      return;
    }
    long seq = issued++;
    long sent = System.nanoTime();
    Future<Outcome> f;
    try {
      f = op.apply(seq);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      long latency = System.nanoTime() - sent;
      if (ar.failed()) {
        stats.failure(String.valueOf(ar.cause()));
        next();
        return;
      }
      Outcome o = ar.result();
      if (o.status() == 200) {
        stats.ack(o.ids(), rowsPerRequest, latency);
        next();
      } else if (o.status() == 503) {
        stats.rejected(rowsPerRequest);
        context.owner().setTimer(10, t -> next());
      } else {
        stats.failure(o.status() + " " + o.error());
        next();
      }
    });
  }

  /** One JSON POST to Spark's ingest; a 200's {@code ids} array, or the status and body. */
  public static Future<Outcome> post(HttpClientAgent http, String uri, Buffer body) {
    return http.request(HttpMethod.POST, uri)
        .compose(req -> req.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").send(body))
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() == 200) return Outcome.ok(new JsonObject(b).getJsonArray("ids"));
          return Outcome.failed(resp.statusCode(), b.toString());
        }));
  }
}
