package dev.spark.mcp;

import dev.spark.event.InputText;
import dev.spark.event.ValidationException;
import dev.spark.query.QueryParams;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a tool call's arguments against the tool's own {@code inputSchema} (what {@code tools/list}
 * tells clients), with the rules the HTTP query parameters follow: an argument the tool does not
 * take, a missing required one, a wrong JSON type, an integer that is not exact ({@code 1.9}) or does
 * not fit ({@code 2^64+1}), a string longer than {@link QueryParams#MAX_CHARS} (the agent message:
 * {@link #MESSAGE_CHARS}) or with a lone surrogate are each a {@link ValidationException} naming the
 * argument (JSON-RPC {@code -32602}). Ranges and formats (years 0000-9999, limits) are then checked
 * by the same code as the HTTP API's.
 */
final class McpArguments {
  static final int MESSAGE_CHARS = 65_536;
  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
  private static volatile Map<String, JsonObject> schemas;

  private McpArguments() {}

  /** The arguments with integers as {@link Long}; throws for anything the tool cannot take. */
  static JsonObject check(String tool, JsonObject args) {
    JsonObject schema = schemas().get(tool);
    if (schema == null) return args;
    JsonObject properties = schema.getJsonObject("properties");
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : args) {
      String name = e.getKey();
      JsonObject prop = properties.getJsonObject(name);
      if (prop == null) {
        throw new ValidationException(name, tool + " takes no argument " + InputText.echo(name) + " (it takes " + properties.fieldNames() + ")");
      }
      if (e.getValue() == null) continue;
      out.put(name, typed(tool, name, prop.getString("type"), e.getValue()));
    }
    for (Object required : schema.getJsonArray("required", new JsonArray())) {
      if (out.getValue((String) required) == null) throw new ValidationException((String) required, required + " is required");
    }
    return out;
  }

  private static Object typed(String tool, String name, String type, Object v) {
    switch (type) {
      case "integer" -> {
        Long exact = exactLong(v);
        if (exact == null) {
          throw new ValidationException(name, name + " must be a whole number from " + Long.MIN_VALUE + " to " + Long.MAX_VALUE
              + " written as a JSON number (got " + InputText.echo(v) + ")");
        }
        return exact;
      }
      case "boolean" -> {
        if (v instanceof Boolean) return v;
        throw new ValidationException(name, name + " must be true or false (got " + InputText.echo(v) + ")");
      }
      default -> {
        if (!(v instanceof String s)) throw new ValidationException(name, name + " must be a string (got " + InputText.echo(v) + ")");
        int cap = "talk_to_spark".equals(tool) ? MESSAGE_CHARS : QueryParams.MAX_CHARS;
        if (s.length() > cap) throw new ValidationException(name, name + " must be at most " + cap + " characters (got " + s.length() + ")");
        if (InputText.hasLoneSurrogate(s)) throw new ValidationException(name, name + " is not valid Unicode text (a lone surrogate)");
        return s;
      }
    }
  }

  /** The number as a long when it is one exactly; null for a fraction, a value out of range or not a number. */
  static Long exactLong(Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
    if (v instanceof BigInteger b) return b.compareTo(LONG_MIN) >= 0 && b.compareTo(LONG_MAX) <= 0 ? b.longValue() : null;
    if (v instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      // beyond 2^53 a double no longer says which integer it was
      return d == Math.rint(d) && Math.abs(d) <= 9_007_199_254_740_992d ? (long) d : null;
    }
    return null;
  }

  private static Map<String, JsonObject> schemas() {
    Map<String, JsonObject> s = schemas;
    if (s == null) {
      s = new HashMap<>();
      for (Object t : McpRoutes.tools()) {
        JsonObject tool = (JsonObject) t;
        s.put(tool.getString("name"), tool.getJsonObject("inputSchema"));
      }
      schemas = s;
    }
    return s;
  }
}
