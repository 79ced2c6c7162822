package dev.spark.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The SQL Spark runs, loaded once from {@code sql/statements.sql} and {@code sql/alerts.sql} on the classpath. */
public final class Sql {
  private static final Map<String, String> STATEMENTS = merged(parse(read("/sql/statements.sql")), parse(read("/sql/alerts.sql")));

  private Sql() {}

  public static String get(String name) {
    String sql = STATEMENTS.get(name);
    if (sql == null) throw new IllegalArgumentException("No SQL statement named " + name);
    return sql;
  }

  public static String schema() {
    return read("/sql/schema.sql");
  }

  private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
    Map<String, String> out = new HashMap<>(a);
    out.putAll(b);
    if (out.size() != a.size() + b.size()) throw new IllegalStateException("a statement name is used twice in sql/*.sql");
    return Map.copyOf(out);
  }

  static String read(String resource) {
    try (InputStream in = Sql.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException(resource + " is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, String> parse(String text) {
    Map<String, String> out = new HashMap<>();
    String name = null;
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.startsWith("-- name:")) {
        if (name != null) out.put(name, body.toString().trim());
        name = line.substring("-- name:".length()).trim();
        body.setLength(0);
      } else if (name != null && !line.startsWith("--")) {
        body.append(line).append('\n');
      }
    }
    if (name != null) out.put(name, body.toString().trim());
    return Map.copyOf(out);
  }

  /** Splits a script on statement-ending semicolons (the schema has no semicolons inside statements). */
  static String[] statements(String script) {
    StringBuilder clean = new StringBuilder();
    for (String line : script.split("\n")) if (!line.trim().startsWith("--")) clean.append(line).append('\n');
    return Arrays.stream(clean.toString().split(";")).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new);
  }
}
