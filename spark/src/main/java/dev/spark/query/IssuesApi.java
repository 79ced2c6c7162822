package dev.spark.query;

import dev.spark.bus.Addresses;
import dev.spark.event.InputText;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import dev.spark.event.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The issues behind {@code GET /api/v1/issues}, {@code GET /api/v1/issues/{fingerprint}} and
 * {@code POST /api/v1/issues/{fingerprint}/resolve|mute|reopen}: parameters in, the answer's JSON
 * out. The HTTP routes call it; so does the CLI when Spark is not running (reads on a read-only
 * connection, status changes through its own storage verticle), and so can an agent's tools
 * ({@code list_issues}, {@code resolve_issue}) in the same JVM.
 */
public final class IssuesApi {
  static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 1_000;
  static final int DEFAULT_EVENTS = 20;
  static final int MAX_HOURS = 168;
  public static final Set<String> STATUSES = Set.of("open", "resolved", "muted");
  public static final Set<String> ACTIONS = Set.of("resolve", "mute", "reopen");
  private static final DeliveryOptions TO_STORAGE = new DeliveryOptions().setSendTimeout(60_000);

  private IssuesApi() {}

  /**
   * {@code status} ({@code open}, {@code resolved}, {@code muted}; default all), {@code sort}
   * ({@code count}, the default, or {@code lastSeen}), {@code limit} (1–1000, default 50),
   * {@code hours} (0–168, default 0: with N, each issue gets {@code hourly}, its occurrences in each
   * of the last N hours, oldest first). Answers {@code {"count": n, "issues": [...]}}.
   */
  public static Future<JsonObject> list(ReadStore reads, Map<String, String> params) {
    return guarded(() -> list(reads, new QueryParams(params)));
  }

  /** One issue with its newest events ({@code events}: 0–1000, default 20) and {@code hourly} ({@code hours}, default 24); null when unknown. */
  public static Future<JsonObject> get(ReadStore reads, String fingerprint, Map<String, String> params) {
    return guarded(() -> get(reads, fingerprint, new QueryParams(params)));
  }

  /**
   * Resolves, mutes or reopens an issue through the storage writer ({@code spark.issues.status}).
   * Answers {@code {"issue": {...}}} as committed, or null when there is no such issue.
   */
  public static Future<JsonObject> setStatus(Vertx vertx, String fingerprint, String action) {
    if (!ACTIONS.contains(action)) {
      return Future.failedFuture(new ValidationException("action", "action must be resolve, mute or reopen (got " + InputText.echo(action) + ")"));
    }
    return vertx.eventBus().<JsonObject>request(Addresses.ISSUE_STATUS,
            new JsonObject().put("fingerprint", fingerprint).put("action", action), TO_STORAGE)
        .map(m -> new JsonObject().put("issue", m.body()))
        .recover(e -> e instanceof ReplyException r && r.failureCode() == 404 ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  public static Future<JsonObject> list(ReadStore reads, QueryParams q) {
    ReadStore.Filter f = new ReadStore.Filter();
    String status = q.string("status");
    if (status != null && !"all".equals(status)) {
      if (!STATUSES.contains(status)) {
        throw new ValidationException("status", "status must be open, resolved, muted or all (got " + InputText.echo(status) + ")");
      }
      f.where("where_issue_status", status);
    }
    String order = order(q.string("sort"));
    int limit = q.limit(DEFAULT_LIMIT, MAX_LIMIT);
    Long hoursParam = q.integer("hours", 0, MAX_HOURS);
    int hours = hoursParam == null ? 0 : hoursParam.intValue();
    return reads.issues(f, order, limit).compose(issues -> {
      if (hours == 0 || issues.isEmpty()) return Future.succeededFuture(issues);
      List<Future<Void>> done = new ArrayList<>();
      for (int i = 0; i < issues.size(); i++) {
        JsonObject issue = issues.getJsonObject(i);
        done.add(hourly(reads, issue.getString("fingerprint"), hours).map(h -> {
          issue.put("hourly", h);
          return null;
        }));
      }
      return Future.all(done).map(issues);
    }).map(issues -> {
      JsonObject out = new JsonObject().put("count", issues.size()).put("issues", issues);
      if (hours > 0) out.put("hourlyFrom", hourOf(firstHour(hours)));
      return out;
    });
  }

  public static Future<JsonObject> get(ReadStore reads, String fingerprint, QueryParams q) {
    Long eventsParam = q.integer("events", 0, MAX_LIMIT);
    int events = eventsParam == null ? DEFAULT_EVENTS : eventsParam.intValue();
    Long hoursParam = q.integer("hours", 1, MAX_HOURS);
    int hours = hoursParam == null ? 24 : hoursParam.intValue();
    return reads.issue(fingerprint).compose(issue -> {
      if (issue == null) return Future.succeededFuture(null);
      Future<List<StoredEvent>> recent = events == 0 ? Future.succeededFuture(List.of()) : reads.eventsOfIssue(fingerprint, events);
      return Future.all(recent, hourly(reads, fingerprint, hours)).map(all -> {
        JsonArray list = new JsonArray();
        for (StoredEvent e : recent.result()) list.add(e.toJson());
        return new JsonObject()
            .put("issue", issue)
            .put("hourlyFrom", hourOf(firstHour(hours)))
            .put("hourly", all.<JsonArray>resultAt(1))
            .put("events", list);
      });
    });
  }

  /** Occurrences in each of the last {@code hours} hours (the current one included), oldest first. */
  static Future<JsonArray> hourly(ReadStore reads, String fingerprint, int hours) {
    Instant first = firstHour(hours);
    return reads.issueHourly(fingerprint, Timestamps.format(first)).map(counts -> {
      JsonArray out = new JsonArray();
      for (int i = 0; i < hours; i++) out.add(counts.getOrDefault(hourOf(first.plus(i, ChronoUnit.HOURS)), 0L));
      return out;
    });
  }

  private static Instant firstHour(int hours) {
    return Instant.now().truncatedTo(ChronoUnit.HOURS).minus(hours - 1L, ChronoUnit.HOURS);
  }

  /** {@code 2026-11-24T10}: the hour as the stored timestamps start. */
  private static String hourOf(Instant hour) {
    return Timestamps.format(hour).substring(0, 13);
  }

  private static String order(String sort) {
    if (sort == null) return "order_issues_count";
    return switch (sort.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
      case "count" -> "order_issues_count";
      case "lastseen" -> "order_issues_last_seen";
      default -> throw new ValidationException("sort", "sort must be count or lastSeen (got " + InputText.echo(sort) + ")");
    };
  }

  private static Future<JsonObject> guarded(Supplier<Future<JsonObject>> query) {
    try {
      return query.get();
    } catch (ValidationException e) {
      return Future.failedFuture(e);
    }
  }
}
