package dev.spark.bench;

import dev.spark.client.SparkClient;
import dev.spark.client.SparkWeb;
import dev.spark.client.SparkWebOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.List;
import java.util.Queue;

/**
 * The integration benchmark's realistic app: {@code POST /quote} with a small JSON order (a customer,
 * a currency, a few {@code {id, qty}} items) → parse and validate it on the event loop, read each
 * product by primary key from the app's own SQLite file on a worker ({@link QuoteCatalog}), price the
 * lines and answer a JSON quote that carries each product's JSON attributes. Bad input: 400, unknown
 * product: 422. With a client, SparkWeb is installed on its router.
 */
final class QuoteApp extends VerticleBase {
  static final int MAX_ITEMS = 50;

  private final int port;
  private final QuoteCatalog catalog;
  private final SparkClient client;
  private final SparkWebOptions options;
  private final Queue<SparkWeb> webs;

  QuoteApp(int port, QuoteCatalog catalog, SparkClient client, SparkWebOptions options, Queue<SparkWeb> webs) {
    this.port = port;
    this.catalog = catalog;
    this.client = client;
    this.options = options;
    this.webs = webs;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    if (client != null) webs.add(SparkWeb.install(router, client, options));
    router.post("/quote").setName("quote").handler(BodyHandler.create().setBodyLimit(16 * 1024)).handler(this::quote);
    return vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)).requestHandler(router).listen(port, "127.0.0.1");
  }

  private void quote(RoutingContext ctx) {
    JsonObject order;
    long[] ids;
    try {
      order = ctx.body().asJsonObject();
      ids = validate(order);
    } catch (DecodeException | IllegalArgumentException | ClassCastException e) {
      ctx.response().setStatusCode(400).putHeader("Content-Type", "text/plain; charset=utf-8").end("bad order: " + e.getMessage());
      return;
    }
    vertx.executeBlocking(() -> catalog.lookup(ids), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Buffer answer = render(order, ar.result());
      if (answer == null) {
        ctx.response().setStatusCode(422).putHeader("Content-Type", "text/plain; charset=utf-8").end("unknown product");
        return;
      }
      ctx.response().putHeader("Content-Type", "application/json").end(answer);
    });
  }

  /** The items' product ids; throws IllegalArgumentException (or ClassCastException) on a bad order. */
  static long[] validate(JsonObject order) {
    if (order == null) throw new IllegalArgumentException("not a JSON object");
    String customer = order.getString("customer");
    if (customer == null || customer.isEmpty() || customer.length() > 64) throw new IllegalArgumentException("customer");
    String currency = order.getString("currency");
    if (currency == null || !currency.matches("[A-Z]{3}")) throw new IllegalArgumentException("currency");
    JsonArray items = order.getJsonArray("items");
    if (items == null || items.isEmpty() || items.size() > MAX_ITEMS) throw new IllegalArgumentException("items");
    long[] ids = new long[items.size()];
    for (int i = 0; i < ids.length; i++) {
      JsonObject item = items.getJsonObject(i);
      Long id = item == null ? null : item.getLong("id");
      Integer qty = item == null ? null : item.getInteger("qty");
      if (id == null || id < 1 || qty == null || qty < 1 || qty > 99) throw new IllegalArgumentException("item " + i);
      ids[i] = id;
    }
    return ids;
  }

  /** The quote for a valid order and its products (as {@link QuoteCatalog#lookup} returns them); null if one is missing. */
  static Buffer render(JsonObject order, List<QuoteCatalog.Product> products) {
    JsonArray items = order.getJsonArray("items");
    JsonArray lines = new JsonArray();
    long total = 0;
    for (int i = 0; i < products.size(); i++) {
      QuoteCatalog.Product p = products.get(i);
      if (p == null) return null;
      int qty = items.getJsonObject(i).getInteger("qty");
      long line = p.priceCents() * qty;
      total += line;
      lines.add(new JsonObject().put("id", p.id()).put("sku", p.sku()).put("name", p.name()).put("qty", qty)
          .put("unitCents", p.priceCents()).put("lineCents", line).put("available", p.stock() >= qty)
          .put("attrs", new JsonObject(p.attrs())));
    }
    return new JsonObject().put("customer", order.getString("customer")).put("currency", order.getString("currency"))
        .put("lines", lines).put("totalCents", total).toBuffer();
  }
}
