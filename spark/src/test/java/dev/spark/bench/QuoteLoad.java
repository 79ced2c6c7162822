package dev.spark.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

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
