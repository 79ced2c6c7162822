package dev.spark.client;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;

/** What {@link SparkWeb} reports of a request: method, path, client IP and input, kept valid for Spark. */
final class RequestDetails {
  private RequestDetails() {
  }

  /** Spark requires a method of 1 to 32 characters and a non-blank path: keep entries valid. */
  static String method(HttpServerRequest req) {
    String m = req.method() == null ? "UNKNOWN" : req.method().name();
    return m.length() > 32 ? m.substring(0, 32) : m;
  }

  static String path(HttpServerRequest req) {
    String p = req.path();
    return p == null || p.isBlank() ? "-" : p;
  }

  /** The client's address: the {@code trusted}-th hop from the end of {@code X-Forwarded-For} behind that many proxies, else the peer. */
  static String ip(HttpServerRequest req, int trusted) {
    if (trusted > 0) {
      List<String> forwarded = req.headers().getAll("X-Forwarded-For");
      if (!forwarded.isEmpty()) {
        String[] hops = String.join(",", forwarded).split(",");
        int at = Math.max(0, hops.length - trusted);
        String hop = hops[at].trim();
        if (!hop.isEmpty()) return hop;
      }
    }
    SocketAddress remote = req.remoteAddress();
    return remote == null ? null : remote.host();
  }

  /**
   * Query parameters (one value as a string, several as an array) and the JSON body: an object's
   * fields are merged in (a body field wins over a query parameter of the same name), anything else
   * goes under {@code body}. Null when there is neither. Spark redacts and caps it.
   */
  static Object input(RoutingContext ctx, long maxBodyBytes) {
    JsonObject in = null;
    String query = ctx.request().query();
    if (query != null && !query.isEmpty()) {
      try {
        MultiMap params = ctx.queryParams();
        for (String name : params.names()) {
          List<String> values = params.getAll(name);
          if (in == null) in = new JsonObject();
          in.put(name, values.size() == 1 ? values.get(0) : new JsonArray(List.copyOf(values)));
        }
      } catch (RuntimeException malformed) {
        // a query string Vert.x cannot decode: leave it out
      }
    }
    RequestBody body = ctx.body();
    if (body != null && body.available() && body.length() > 0 && body.length() <= maxBodyBytes && jsonish(ctx)) {
      try {
        Object json = Json.decodeValue(body.buffer());
        if (in == null) in = new JsonObject();
        if (json instanceof JsonObject obj) {
          for (String key : obj.fieldNames()) in.put(key, obj.getValue(key));
        } else if (json != null) {
          in.put("body", json);
        }
      } catch (DecodeException notJson) {
        // not JSON after all: leave it out
      }
    }
    return in;
  }

  private static boolean jsonish(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    return type == null || type.toLowerCase(Locale.ROOT).contains("json");
  }
}
