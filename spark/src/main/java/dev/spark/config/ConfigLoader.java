package dev.spark.config;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Merges Spark's embedded defaults, the user's configuration (the verticle's {@code -conf}) and the
 * environment variables, in that order of precedence (later wins), and validates the result.
 */
public final class ConfigLoader {
  private ConfigLoader() {}

  public static SparkConfig load(JsonObject provided, Map<String, String> env) {
    JsonObject merged = deepMerge(defaults(), provided == null ? new JsonObject() : provided);
    applyEnvironment(merged, env);
    return SparkConfig.fromJson(merged);
  }

  public static JsonObject defaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/spark-defaults.json")) {
      if (in == null) throw new IllegalStateException("spark-defaults.json is missing from the classpath");
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void applyEnvironment(JsonObject merged, Map<String, String> env) {
    String environment = firstNonBlank(env.get("SPARK_ENV"), env.get("NODE_ENV"), merged.getString("environment"), "development");
    merged.put("environment", environment);
    String dbPath = env.get("SPARK_DB_PATH");
    if (dbPath != null && !dbPath.isBlank()) section(merged, "db").put("path", dbPath);
    String port = env.get("SPARK_WEB_PORT");
    if (port != null && !port.isBlank()) {
      try {
        section(merged, "web").put("port", Integer.parseInt(port.trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException("SPARK_WEB_PORT", "an integer from 0 to 65535", port);
      }
    }
    String token = env.get("SPARK_WEB_TOKEN");
    if (token != null && !token.isBlank()) section(merged, "web").put("token", token);
  }

  private static JsonObject section(JsonObject merged, String key) {
    if (merged.getValue(key) instanceof JsonObject o) return o;
    throw new ConfigException(key, "an object", merged.getValue(key));
  }

  /** Objects merge key by key; any other value (arrays included) replaces the default. */
  static JsonObject deepMerge(JsonObject base, JsonObject over) {
    JsonObject out = base.copy();
    for (Map.Entry<String, Object> e : over) {
      Object mine = out.getValue(e.getKey());
      if (mine instanceof JsonObject a && e.getValue() instanceof JsonObject b) {
        out.put(e.getKey(), deepMerge(a, b));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) if (v != null && !v.isBlank()) return v;
    return null;
  }
}
