package dev.spark.bench;

import dev.spark.bus.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;

/**
 * The closed-loop loads of {@link IngestBenchmark}'s throughput workloads: what each sends, over
 * which transport, with how many requests in flight. Event-bus loads run on a context of Spark's
 * Vert.x (it must be the same bus); HTTP loads on the client Vert.x.
 */
final class IngestWorkloads {
  private static final DeliveryOptions EB = new DeliveryOptions().setSendTimeout(60_000);

  private final BenchOptions o;
  private final Vertx server;
  private final Vertx clients;
  /** (s)'s envelopes, built and gzipped once before the runs, so their CPU is not counted in any run. */
  private final SentryEnvelopes envelopes;

  IngestWorkloads(BenchOptions o, Vertx server, Vertx clients) {
    this.o = o;
    this.server = server;
    this.clients = clients;
    this.envelopes = o.runs("s") ? new SentryEnvelopes(o.seconds) : null;
  }

  /** (b) Event-bus request to spark.ingest.access, answered after commit; fresh JSON per message, as an app would build it. */
  Future<RunStats> eventBus(Vertx bus, String address, double seconds, int rowsPerMessage, RunStats stats) {
    Context ctx = server.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.ebInFlight, rowsPerMessage, seq -> {
      Object body = rowsPerMessage == 1 ? Payloads.accessLog(seq) : Payloads.accessArray(seq * rowsPerMessage, rowsPerMessage);
      return bus.eventBus().<JsonObject>request(address, body, EB)
          .map(m -> ClosedLoop.Outcome.ok(m.body().getJsonArray("ids")))
          .recover(IngestWorkloads::replyFailure);
    }, stats);
  }

  private static Future<ClosedLoop.Outcome> replyFailure(Throwable e) {
    if (e instanceof ReplyException re) {
      int status = re.failureType() == ReplyFailure.RECIPIENT_FAILURE ? re.failureCode() : 0;
      return Future.succeededFuture(ClosedLoop.Outcome.failed(status, re.failureType() + ": " + re.getMessage()));
    }
    return Future.failedFuture(e);
  }

  /**
   * (c) HTTP POST /api/v1/access with arrays of --batch rows, a few keep-alive connections; (cs) the
   * same rows under the original's snake_case names.
   */
  Future<RunStats> httpAccessBatches(SparkServer spark, double seconds, boolean snake, RunStats stats) {
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.httpBatchConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.httpBatchConnections, o.batch,
            seq -> ClosedLoop.post(http, "/api/v1/access", Payloads.accessArrayJson(seq * o.batch, o.batch, snake)), stats)
        .eventually(() -> http.close());
  }

  /**
   * (d) HTTP POST /api/v1/events on {@code port} with one error event per request, many connections;
   * (di) each event with its own eventId (the body built per request, as a client setting ids does).
   */
  Future<RunStats> httpEvents(int port, double seconds, boolean ids, RunStats stats) {
    Buffer[] bodies = Payloads.errorEventBodies(1_024);
    HttpClientAgent http = Bench.httpClient(clients, port, o.eventConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.eventConnections, 1,
            seq -> ClosedLoop.post(http, "/api/v1/events",
                ids ? Payloads.errorEventBodyWithId(seq) : bodies[(int) (seq % bodies.length)]), stats)
        .eventually(() -> http.close());
  }

  /** (s) Sentry envelopes, gzipped, one event each, as many connections as (d). */
  Future<RunStats> sentryEnvelopes(SparkServer spark, double seconds, RunStats stats) {
    HttpClientAgent http = Bench.httpClient(clients, spark.port, o.eventConnections);
    Context ctx = clients.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.eventConnections, 1, seq -> envelopes.post(http, seq), stats)
        .eventually(() -> http.close());
  }

  /**
   * (be) event-bus requests to spark.ingest.event with --batch error events each: the writer's cost
   * per event shows, not HTTP's; (bei) the same events each with its own eventId (the dedupe cost).
   */
  Future<RunStats> eventBusEvents(SparkServer spark, double seconds, boolean ids, RunStats stats) {
    Context ctx = server.getOrCreateContext();
    return ClosedLoop.run(ctx, seconds, o.ebInFlight, o.batch, seq ->
        spark.vertx.eventBus().<JsonObject>request(Addresses.INGEST_EVENT, Payloads.errorEvents(seq * o.batch, o.batch, ids), EB)
            .map(m -> ClosedLoop.Outcome.ok(m.body().getJsonArray("ids")))
            .recover(IngestWorkloads::replyFailure), stats);
  }
}
