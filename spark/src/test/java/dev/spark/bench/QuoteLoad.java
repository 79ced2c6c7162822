package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * The load for {@link QuoteApp}: {@link #ORDERS} distinct orders of {@code items} items each, encoded
 * once, each with the exact answer expected for it (computed beforehand from the catalog directly), so
 * the load generator spends little CPU and still checks every answer byte for byte.
 */
final class QuoteLoad {
  static final int ORDERS = 512;
  private static final JsonArray NO_IDS = new JsonArray();

  private final Buffer[] bodies = new Buffer[ORDERS];
  private final Buffer[] expected = new Buffer[ORDERS];
  /** Bytes of the orders and of the answers, on average. */
  final double requestBytes;
  final double answerBytes;

  QuoteLoad(QuoteCatalog catalog, int items) throws Exception {
    Random random = new Random(7);
    long in = 0;
    long out = 0;
    for (int i = 0; i < ORDERS; i++) {
      JsonArray lines = new JsonArray();
      for (int k = 0; k < items; k++) {
        lines.add(new JsonObject().put("id", 1 + random.nextInt(QuoteCatalog.SIZE)).put("qty", 1 + random.nextInt(5)));
      }
      JsonObject order = new JsonObject().put("customer", String.format("customer-%05d", random.nextInt(100_000)))
          .put("currency", "EUR").put("items", lines);
      bodies[i] = order.toBuffer();
      expected[i] = QuoteApp.render(order, catalog.lookup(QuoteApp.validate(order)));
      in += bodies[i].length();
      out += expected[i].length();
    }
    requestBytes = in / (double) ORDERS;
    answerBytes = out / (double) ORDERS;
  }

  /**
   * The app's own work alone, without HTTP: parse an order, validate it, read its products, render
   * the quote, {@code n} times on this thread (after as many again to warm up). CPU µs per order.
   */
  double appWorkMicros(QuoteCatalog catalog, int n) throws Exception {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpu = 0;
    for (int pass = 0; pass < 2; pass++) {
      long before = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < n; i++) {
        JsonObject order = new JsonObject(bodies[i % ORDERS]);
        Buffer answer = QuoteApp.render(order, catalog.lookup(QuoteApp.validate(order)));
        if (!answer.equals(expected[i % ORDERS])) throw new IllegalStateException("order " + i + ": another answer than expected");
      }
      cpu = threads.getCurrentThreadCpuTime() - before;
    }
    return cpu / (double) n / 1e3;
  }

  /** One order (chosen by {@code seq}) posted; ok only for a 200 whose body is exactly the expected quote. */
  Future<ClosedLoop.Outcome> post(HttpClientAgent http, long seq) {
    int i = (int) (seq % ORDERS);
    return http.request(HttpMethod.POST, "/quote")
        .compose(req -> req.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").send(bodies[i]))
        .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 && b.equals(expected[i])
            ? ClosedLoop.Outcome.ok(NO_IDS)
            : ClosedLoop.Outcome.failed(resp.statusCode(), b.length() > 200 ? b.getString(0, 200) + "..." : b.toString())));
  }
}
