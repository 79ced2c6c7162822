package dev.spark.storage;

import dev.spark.bus.AlertOp;
import dev.spark.config.AlertsConfig;
import dev.spark.event.EventRow;
import dev.spark.event.StoredEvent;
import dev.spark.event.Timestamps;
import dev.spark.event.UuidV7;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, inside the transaction that stores a group of events and before their issues are updated,
 * which alert rules fire, and writes one {@code alert_outbox} row per rule and target: committed with
 * the events or not at all. Per rule and issue at most one alert a commit, of the first kind that
 * applies: {@code new-issue} (the issue did not exist), {@code regression} (it was resolved), then
 * {@code frequency} (this commit takes the issue's events in the rule's window from under the
 * threshold to it or over). A muted issue alerts nobody; a rule that alerted about an issue stays
 * quiet about it for its cooldown. Writer thread only.
 */
final class AlertOutbox {
  static final Set<String> FIX_VERDICTS = Set.of("verified", "failed", "unverified", "no-change", "interrupted");

  private final List<AlertsConfig.Rule> rules;
  private final String dashboardUrl;

  /** @param dashboardUrl the dashboard's public address, for links ("" for none) */
  AlertOutbox(List<AlertsConfig.Rule> rules, String dashboardUrl) {
    this.rules = List.copyOf(rules);
    this.dashboardUrl = dashboardUrl;
  }

  boolean enabled() {
    return !rules.isEmpty();
  }

  /** The issue row before this commit: null when the issue is new. */
  private record Before(String status, long count, String firstSeen, String lastSeen, String resolvedAt) {}

  /** What this commit adds to one issue: its events (in id order) with their ids. */
  private static final class Occurrences {
    final List<EventRow> rows = new ArrayList<>();
    final List<Long> ids = new ArrayList<>();
  }

  /**
   * Adds the alerts the rows (already inserted, with {@code ids}) set off, without committing; rows
   * not inserted now ({@code fresh} false: a client's retry of a stored event) set off nothing;
   * returns the outbox rows it wrote, as {@link AlertDeliveries#due} lists them, for the writer to
   * hand to the sender once they are committed (so the first attempt waits for no read behind the
   * writer's queue).
   */
  List<AlertOp.Outgoing> enqueue(SqliteDatabase db, List<EventRow> rows, long[] ids, boolean[] fresh, Instant now) throws SQLException {
    if (rules.isEmpty()) return List.of();
    Map<String, Occurrences> byIssue = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      EventRow r = rows.get(i);
      if (r.fingerprint() == null || !fresh[i]) continue;
      Occurrences o = byIssue.computeIfAbsent(r.fingerprint(), k -> new Occurrences());
      o.rows.add(r);
      o.ids.add(ids[i]);
    }
    List<AlertOp.Outgoing> written = new ArrayList<>();
    Map<String, Before> before = new HashMap<>();
    for (var e : byIssue.entrySet()) {
      String fp = e.getKey();
      Occurrences occ = e.getValue();
      Before b = before.computeIfAbsent(fp, k -> beforeOrNull(db, k));
      if (b != null && b.status.equals("muted")) continue;
      for (AlertsConfig.Rule rule : rules) {
        int first = firstMatching(rule, occ);
        if (first < 0) continue;
        String kind = kind(db, rule, fp, b, occ, now);
        if (kind == null || coolingDown(db, rule, fp, now)) continue;
        JsonObject payload = payload(kind, rule, fp, b, occ, first, now);
        written.addAll(write(db, rule, kind, fp, occ.ids.get(first), payload, now));
        PreparedStatement cool = db.statement("alert_cooldown_put");
        cool.setString(1, rule.name());
        cool.setString(2, fp);
        cool.setLong(3, now.toEpochMilli());
        cool.executeUpdate();
      }
    }
    return written;
  }

  /** One outbox row per target of the rule; answers them as {@link AlertDeliveries#due} lists them. */
  private static List<AlertOp.Outgoing> write(SqliteDatabase db, AlertsConfig.Rule rule, String kind, String fp, long eventId,
      JsonObject payload, Instant now) throws SQLException {
    List<AlertOp.Outgoing> written = new ArrayList<>();
    String encoded = payload.encode();
    for (String target : rule.to()) {
      String deliveryId = UuidV7.next();
      PreparedStatement st = db.statement("alert_insert");
      st.setString(1, deliveryId);
      st.setString(2, rule.name());
      st.setString(3, target);
      st.setString(4, kind);
      st.setString(5, fp);
      st.setLong(6, eventId);
      st.setString(7, encoded);
      st.setString(8, Timestamps.format(now));
      st.setString(9, Timestamps.format(now));
      st.executeUpdate();
      long rowId;
      try (ResultSet rs = db.statement("last_insert_id").executeQuery()) {
        rs.next();
        rowId = rs.getLong(1);
      }
      written.add(new AlertOp.Outgoing(rowId, deliveryId, rule.name(), target, kind, payload, 0));
    }
    return written;
  }

  /**
   * Adds the {@code agent-fix} alerts for a fix that reached a verdict (verified, failed, unverified,
   * no-change, interrupted), in the transaction that records it. Rule filters are matched against the
   * fix's first event; no cooldown (one alert per fix, and fixes are rate-limited by the agent's
   * budget). Answers the rows written, for the sender.
   */
  List<AlertOp.Outgoing> enqueueFix(SqliteDatabase db, JsonObject fix, Instant now) throws SQLException {
    if (!FIX_VERDICTS.contains(fix.getString("status", "")) || rules.stream().noneMatch(r -> r.on().contains("agent-fix"))) {
      return List.of();
    }
    Object first = fix.getJsonArray("events", new JsonArray()).stream().findFirst().orElse(null);
    StoredEvent event = first instanceof Number n ? AgentOutbox.event(db, n.longValue()) : null;
    if (event == null) return List.of();
    EventRow row = event.row();
    String fp = fix.getString("fingerprint", row.fingerprint());
    Before b = beforeOrNull(db, fp);
    List<AlertOp.Outgoing> written = new ArrayList<>();
    for (AlertsConfig.Rule rule : rules) {
      if (!rule.on().contains("agent-fix") || !rule.matches(row.type(), row.environment(), row.feature())) continue;
      JsonObject issue = new JsonObject().put("fingerprint", fp).put("title", title(row)).put("type", row.type())
          .put("count", b == null ? 1 : b.count).put("firstSeen", b == null ? row.timestamp() : b.firstSeen)
          .put("lastSeen", b == null ? row.timestamp() : b.lastSeen).put("status", b == null ? "open" : b.status);
      JsonObject verify = fix.getJsonObject("verify");
      JsonObject summary = new JsonObject().put("id", fix.getLong("id")).put("status", fix.getString("status"))
          .put("delivery", fix.getString("delivery")).put("branch", fix.getString("branch"))
          .put("summary", fix.getString("summary")).put("attempts", fix.getInteger("attempts"))
          .put("verify", verify == null ? null : new JsonObject().put("command", verify.getString("command"))
              .put("exitCode", verify.getValue("exitCode")));
      JsonObject payload = new JsonObject().put("kind", "agent-fix").put("rule", rule.name()).put("issue", issue)
          .put("fix", summary).put("event", event.toJson()).put("environment", row.environment())
          .put("link", dashboardUrl.isEmpty() ? "" : dashboardUrl + "/#fixes/" + fix.getLong("id"))
          .put("at", Timestamps.format(now));
      written.addAll(write(db, rule, "agent-fix", fp, event.id(), payload, now));
    }
    return written;
  }

  private static int firstMatching(AlertsConfig.Rule rule, Occurrences occ) {
    for (int i = 0; i < occ.rows.size(); i++) {
      EventRow r = occ.rows.get(i);
      if (rule.matches(r.type(), r.environment(), r.feature())) return i;
    }
    return -1;
  }

  private static String kind(SqliteDatabase db, AlertsConfig.Rule rule, String fp, Before b, Occurrences occ, Instant now)
      throws SQLException {
    if (b == null && rule.on().contains("new-issue")) return "new-issue";
    if (b != null && b.status.equals("resolved") && rule.on().contains("regression")) return "regression";
    if (rule.on().contains("frequency") && crossesThreshold(db, rule, fp, occ, now)) return "frequency";
    return null;
  }

  /**
   * True when the issue's events in the window, this commit's included, reach the threshold and did
   * not before it. Counted with a cap of threshold plus this commit's events in the window, which
   * tells the two apart without counting a whole flood.
   */
  private static boolean crossesThreshold(SqliteDatabase db, AlertsConfig.Rule rule, String fp, Occurrences occ, Instant now)
      throws SQLException {
    String since = Timestamps.format(now.minusSeconds(60L * rule.thresholdMinutes()));
    int added = 0;
    for (EventRow r : occ.rows) if (r.timestamp().compareTo(since) >= 0) added++;
    if (added == 0) return false;
    PreparedStatement st = db.statement("alert_issue_events_since");
    st.setString(1, fp);
    st.setString(2, since);
    st.setLong(3, (long) rule.thresholdEvents() + added);
    long counted;
    try (ResultSet rs = st.executeQuery()) {
      counted = rs.next() ? rs.getLong(1) : 0;
    }
    return counted >= rule.thresholdEvents() && counted - added < rule.thresholdEvents();
  }

  private static boolean coolingDown(SqliteDatabase db, AlertsConfig.Rule rule, String fp, Instant now) throws SQLException {
    if (rule.cooldownMinutes() == 0) return false;
    PreparedStatement st = db.statement("alert_cooldown_get");
    st.setString(1, rule.name());
    st.setString(2, fp);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() && now.toEpochMilli() - rs.getLong(1) < rule.cooldownMinutes() * 60_000L;
    }
  }

  private static Before beforeOrNull(SqliteDatabase db, String fp) {
    try {
      PreparedStatement st = db.statement("alert_issue_before");
      st.setString(1, fp);
      try (ResultSet rs = st.executeQuery()) {
        if (!rs.next()) return null;
        return new Before(rs.getString("status"), rs.getLong("count"), rs.getString("first_seen"), rs.getString("last_seen"),
            rs.getString("resolved_at"));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The alert as the webhook body shows it (README "Alerts"), less the delivery id added at sending. */
  private JsonObject payload(String kind, AlertsConfig.Rule rule, String fp, Before b, Occurrences occ, int first, Instant now) {
    EventRow row = occ.rows.get(first);
    long id = occ.ids.get(first);
    String firstSeen = row.timestamp();
    String lastSeen = row.timestamp();
    for (EventRow r : occ.rows) {
      if (r.timestamp().compareTo(firstSeen) < 0) firstSeen = r.timestamp();
      if (r.timestamp().compareTo(lastSeen) > 0) lastSeen = r.timestamp();
    }
    if (b != null && b.firstSeen.compareTo(firstSeen) < 0) firstSeen = b.firstSeen;
    if (b != null && b.lastSeen.compareTo(lastSeen) > 0) lastSeen = b.lastSeen;
    JsonObject issue = new JsonObject()
        .put("fingerprint", fp)
        .put("title", title(row))
        .put("type", row.type())
        .put("count", (b == null ? 0 : b.count) + occ.rows.size())
        .put("firstSeen", firstSeen)
        .put("lastSeen", lastSeen)
        .put("status", "open");
    if (kind.equals("regression") && b.resolvedAt != null) issue.put("resolvedAt", b.resolvedAt);
    if (kind.equals("frequency")) {
      issue.put("threshold", new JsonObject().put("events", rule.thresholdEvents()).put("minutes", rule.thresholdMinutes()));
    }
    return new JsonObject()
        .put("kind", kind)
        .put("rule", rule.name())
        .put("issue", issue)
        .put("event", new StoredEvent(id, row, false, null).toJson())
        .put("environment", row.environment())
        .put("link", dashboardUrl.isEmpty() ? "" : dashboardUrl + "/#events/" + id)
        .put("at", Timestamps.format(now));
  }

  static String title(EventRow row) {
    String cls = row.summary() == null ? null : row.summary().errorClass();
    String message = row.summary() == null ? null : row.summary().message();
    if (cls == null) return message == null ? row.type() : message;
    return message == null ? cls : cls + ": " + message;
  }
}
