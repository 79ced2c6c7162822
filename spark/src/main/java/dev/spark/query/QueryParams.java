package dev.spark.query;

import dev.spark.event.InputText;
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
  /** Longest value a query parameter (or MCP string argument) may have. */
  public static final int MAX_CHARS = 2_048;
  private static final Instant FIRST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999Z");

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

  /** The value, or null when the parameter is absent or empty; longer than {@link #MAX_CHARS} or not valid text is refused. */
  public String string(String name) {
    String v = lookup.apply(name);
    if (v == null || v.isEmpty()) return null;
    if (v.length() > MAX_CHARS) {
      throw new ValidationException(name, name + " must be at most " + MAX_CHARS + " characters (got " + v.length() + ")");
    }
    if (InputText.hasLoneSurrogate(v)) throw new ValidationException(name, name + " is not valid Unicode text (a lone surrogate)");
    return v;
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
    throw new ValidationException(name, name + " must be an integer from " + min + " to " + max + " (got " + InputText.echo(v) + ")");
  }

  public int limit(int dflt, int max) {
    Long l = integer("limit", 1, max);
    return l == null ? dflt : l.intValue();
  }

  /** true/1/yes or false/0/no; absent is null, but present and empty is refused (it is neither). */
  public Boolean bool(String name) {
    String raw = lookup.apply(name);
    if (raw != null && raw.isEmpty()) {
      throw new ValidationException(name, name + " must be true or false (got an empty value)");
    }
    String v = string(name);
    if (v == null) return null;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ValidationException(name, name + " must be true or false (got " + InputText.echo(v) + ")");
    };
  }

  /** A time bound, normalised to Spark's stored timestamp format so SQL compares it as text. */
  public String time(String name) {
    String v = string(name);
    if (v == null) return null;
    Instant parsed = Timestamps.parse(v);
    if (parsed != null && (parsed.isBefore(FIRST) || parsed.isAfter(LAST))) {
      throw new ValidationException(name, name + " must be in the years 0000 to 9999 (got " + InputText.echo(v) + ")");
    }
    if (parsed == null) {
      throw new ValidationException(name, name + " must be an ISO-8601 date-time with a zone, e.g. 2026-02-15T23:50:00Z (got " + InputText.echo(v) + ")");
    }
    return Timestamps.format(parsed);
  }
}
