package dev.spark.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Typed, range-checked reads of dotted keys from a merged configuration object. */
final class ConfigReader {
  private final JsonObject root;

  ConfigReader(JsonObject root) {
    this.root = root;
  }

  Object raw(String key) {
    Object node = root;
    String path = "";
    for (String part : key.split("\\.")) {
      if (node == null) return null;
      if (!(node instanceof JsonObject obj)) throw new ConfigException(path, "an object", node);
      node = obj.getValue(part);
      path = path.isEmpty() ? part : path + "." + part;
    }
    return node;
  }

  JsonObject object(String key) {
    Object v = raw(key);
    if (v instanceof JsonObject o) return o;
    throw new ConfigException(key, "an object", v);
  }

  boolean bool(String key) {
    Object v = raw(key);
    if (v instanceof Boolean b) return b;
    throw new ConfigException(key, "true or false", v);
  }

  long integer(String key, long min, long max) {
    Object v = raw(key);
    if (v instanceof String s) {
      try {
        v = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "an integer from " + min + " to " + max, s);
      }
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      long l = n.longValue();
      if (l >= min && l <= max) return l;
    }
    throw new ConfigException(key, "an integer from " + min + " to " + max, v);
  }

  String string(String key, boolean allowEmpty) {
    Object v = raw(key);
    if (v instanceof String s && (allowEmpty || !s.isBlank())) return s;
    throw new ConfigException(key, allowEmpty ? "a string" : "a non-empty string", v);
  }

  String oneOf(String key, Set<String> allowed) {
    Object v = raw(key);
    if (v instanceof String s && allowed.contains(s)) return s;
    throw new ConfigException(key, "one of " + String.join(", ", allowed), v);
  }

  List<String> strings(String key) {
    Object v = raw(key);
    if (v instanceof JsonArray arr) {
      List<String> out = new ArrayList<>();
      for (Object item : arr) {
        if (!(item instanceof String s) || s.isBlank()) {
          throw new ConfigException(key, "an array of non-empty strings", v);
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw new ConfigException(key, "an array of strings", v);
  }

  /**
   * Browser origins as a browser sends them in {@code Origin}: {@code http} or {@code https}, a host and
   * an optional port, nothing else (no path, no trailing slash, no wildcard). Lower-cased.
   */
  List<String> origins(String key) {
    List<String> out = new ArrayList<>();
    for (String s : strings(key)) {
      if (!s.matches("(?i)https?://[a-z0-9.\\-]+(:[0-9]{1,5})?|(?i)https?://\\[[0-9a-f:.]+\\](:[0-9]{1,5})?")) {
        throw new ConfigException(key, "an array of origins such as \"https://app.example.com\" or \"http://localhost:3000\""
            + " (scheme, host and optional port; no path)", s);
      }
      out.add(s.toLowerCase(Locale.ROOT));
    }
    return List.copyOf(out);
  }

  /** Host names or IP literals, without scheme or port. Lower-cased. */
  List<String> hostNames(String key) {
    List<String> out = new ArrayList<>();
    for (String s : strings(key)) {
      if (!s.matches("(?i)[a-z0-9.\\-]+|\\[[0-9a-f:.]+\\]")) {
        throw new ConfigException(key, "an array of host names such as \"spark.internal\" (no scheme, no port)", s);
      }
      out.add(s.toLowerCase(Locale.ROOT));
    }
    return List.copyOf(out);
  }
}
