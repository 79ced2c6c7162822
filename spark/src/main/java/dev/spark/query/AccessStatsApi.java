package dev.spark.query;

import dev.spark.event.Timestamps;
import dev.spark.event.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Access-log analytics over a window, for the HTTP API, MCP and the CLI: per-route statistics and
 * requests per minute. The window is {@code since} (default: an hour ago) to {@code until} (default:
 * now); the other parameters are the access query's.
 */
public final class AccessStatsApi {
  static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
  static final int MAX_TIMELINE_MINUTES = 7 * 24 * 60;

  private AccessStatsApi() {}

  public static Future<JsonObject> stats(DashboardReads reads, QueryParams q) {
    ReadStore.Filter f = QueryApi.accessFilter(q, false);
    Instant now = Instant.now();
    String since = q.time("since");
    if (since == null) since = Timestamps.format(now.minus(DEFAULT_WINDOW));
    String until = q.time("until");
    f.where("where_since", since);
    if (until != null) f.where("where_until", until);
    int limit = q.limit(50, 1_000);
    String from = since;
    return reads.accessStats(f, limit).map(body -> new JsonObject().put("since", from).put("until", until)
        .put("routeCount", body.getValue("routeCount")).put("totals", body.getValue("totals")).put("routes", body.getValue("routes")));
  }

  public static Future<JsonObject> timeline(DashboardReads reads, QueryParams q) {
    ReadStore.Filter f = QueryApi.accessFilter(q, false);
    Instant now = Instant.now();
    String sinceText = q.time("since");
    String untilText = q.time("until");
    Instant until = untilText == null ? now : Timestamps.parse(untilText);
    Instant since = sinceText == null ? until.minus(DEFAULT_WINDOW) : Timestamps.parse(sinceText);
    Instant start = since.truncatedTo(ChronoUnit.MINUTES);
    long minutes = (Duration.between(start, until).toMillis() + 59_999) / 60_000;
    if (minutes < 1) throw new ValidationException("until", "until must be after since");
    if (minutes > MAX_TIMELINE_MINUTES) {
      throw new ValidationException("since", "the timeline covers at most " + MAX_TIMELINE_MINUTES + " minutes (7 days); got " + minutes);
    }
    int count = (int) minutes;
    return reads.perMinute(start, count, f).map(points -> new JsonObject()
        .put("since", Timestamps.format(start))
        .put("until", Timestamps.format(start.plus(Duration.ofMinutes(count))))
        .put("bucket", "minute")
        .put("columns", new JsonArray().add("minute").add("requests").add("errors"))
        .put("points", points));
  }
}
