package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.event.ValidationException;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads and checks query parameters; anything malformed is a {@link ValidationException} (400).
 * They come from a request's query string or, for the CLI reading the database itself, from a map
 * with the same names, so both give the same answers and the same errors.
 */
public final class QueryParams {
  private final Function<String, String> lookup;

  public QueryParams(RoutingContext ctx) {
    this.lookup = name -> {
      List<String> values = ctx.queryParam(name);
      return values.isEmpty() ? null : values.get(values.size() - 1);
    };
  }

  public QueryParams(Map<String, String> params) {
    this.lookup = params::get;
  }

  public String string(String name) {
    String v = lookup.apply(name);
    return v == null || v.isEmpty() ? null : v;
  }

  public Long integer(String name, long min, long max) {
    String v = string(name);
    if (v == null) return null;
    try {
      long l = Long.parseLong(v.trim());
      if (l >= min && l <= max) return l;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new ValidationException(name, name + " must be an integer from " + min + " to " + max + " (got \"" + v + "\")");
  }

  public int limit(int dflt, int max) {
    Long l = integer("limit", 1, max);
    return l == null ? dflt : l.intValue();
  }

  public Boolean bool(String name) {
    String v = string(name);
    if (v == null) return null;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ValidationException(name, name + " must be true or false (got \"" + v + "\")");
    };
  }

  /** A time bound, normalised to Spark's stored timestamp format so SQL compares it as text. */
  public String time(String name) {
    String v = string(name);
    if (v == null) return null;
    Instant parsed = Timestamps.parse(v);
    if (parsed == null) {
      throw new ValidationException(name, name + " must be an ISO-8601 date-time with a zone, e.g. 2026-02-15T23:50:00Z (got \"" + v + "\")");
    }
    return Timestamps.format(parsed);
  }
}
