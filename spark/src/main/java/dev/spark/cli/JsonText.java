package dev.spark.cli;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/** JSON as people write it in {@code conf/spark.json}: two-space indent, {@code "key": value}, one item a line. */
final class JsonText {
  private JsonText() {}

  static String pretty(JsonObject json) {
    StringBuilder out = new StringBuilder();
    write(out, json, "");
    return out.append('\n').toString();
  }

  private static void write(StringBuilder out, Object value, String indent) {
    String inner = indent + "  ";
    if (value instanceof JsonObject obj) {
      if (obj.isEmpty()) {
        out.append("{}");
        return;
      }
      out.append("{\n");
      int i = 0;
      for (Map.Entry<String, Object> e : obj) {
        out.append(inner).append(Json.encode(e.getKey())).append(": ");
        write(out, e.getValue(), inner);
        out.append(++i < obj.size() ? ",\n" : "\n");
      }
      out.append(indent).append('}');
    } else if (value instanceof JsonArray arr) {
      if (arr.isEmpty()) {
        out.append("[]");
        return;
      }
      out.append("[\n");
      for (int i = 0; i < arr.size(); i++) {
        out.append(inner);
        write(out, arr.getValue(i), inner);
        out.append(i + 1 < arr.size() ? ",\n" : "\n");
      }
      out.append(indent).append(']');
    } else {
      out.append(Json.encode(value));
    }
  }
}
