package dev.spark.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Set;

/**
 * The {@code fixes} table: one row per fix the agent made (or tried). Written and read on the writer
 * thread (a handful of rows, read right after they change: a list made after an apply sees it).
 * Requests on {@code Addresses.STORAGE_FIXES}: {@code {"action": "insert", "fix": {...}, "release"?: {"subscriber",
 * "firstId"}}} answers the row (with {@code release}, the batch the fix was made for leaves {@code agent_outbox} in
 * the same transaction: a crash leaves either both or neither, so a batch is fixed again exactly when no fix was
 * recorded for it); {@code {"action": "status", "id", "status", "worktree"}} answers the row or fails 404;
 * {@code {"action": "get", "id"}}; {@code {"action": "list", "status"?, "fingerprint"?, "limit"?}} answers {@code {"fixes": [...]}}.
 */
final class FixRecords {
  static final Set<String> STATUSES = Set.of("verified", "failed", "unverified", "no-change", "interrupted", "applied", "discarded");

  private FixRecords() {}

  /** A fix that was written or changed, in the transaction that writes it (the agent-fix alerts go in the same one). */
  interface Recorded {
    void fix(JsonObject fix) throws SQLException;
  }

  static JsonObject handle(SqliteDatabase db, JsonObject req, String now, Recorded recorded) throws SQLException {
    String action = req.getString("action", "");
    return switch (action) {
      case "insert" -> db.inTransaction(() -> {
        long id = insert(db, req.getJsonObject("fix", new JsonObject()), now);
        JsonObject release = req.getJsonObject("release");
        if (release != null) AgentOutbox.delete(db, release.getString("subscriber"), release.getLong("firstId"));
        return told(recorded, get(db, id));
      });
      case "status" -> db.inTransaction(() -> told(recorded,
          setStatus(db, req.getLong("id", -1L), req.getString("status"), req.getString("worktree"), now)));
      case "get" -> db.inTransaction(() -> found(get(db, req.getLong("id", -1L)), req.getLong("id", -1L)));
      case "list" -> db.inTransaction(() -> list(db, req.getString("status"), req.getString("fingerprint"), req.getInteger("limit", 100)));
      default -> throw new IllegalArgumentException("unknown action " + action);
    };
  }

  private static JsonObject told(Recorded recorded, JsonObject fix) throws SQLException {
    recorded.fix(fix);
    return fix;
  }

  /** The 400 message for a request {@link #handle} cannot take, or null. */
  static String invalid(JsonObject req) {
    String action = req.getString("action", "");
    if (!Set.of("insert", "status", "get", "list").contains(action)) return "expected {\"action\": \"insert\" | \"status\" | \"get\" | \"list\"}";
    if ((action.equals("status") || action.equals("get")) && !(req.getValue("id") instanceof Number)) return "\"id\" must be a number";
    if (action.equals("insert") && req.getValue("release") != null && !(req.getValue("release") instanceof JsonObject r
        && r.getValue("subscriber") instanceof String && r.getValue("firstId") instanceof Number)) {
      return "\"release\" must be {\"subscriber\": string, \"firstId\": number}";
    }
    String status = action.equals("insert") ? req.getJsonObject("fix", new JsonObject()).getString("status") : req.getString("status");
    if ((action.equals("insert") || action.equals("status")) && !STATUSES.contains(status)) {
      return "\"status\" must be one of " + String.join(", ", STATUSES.stream().sorted().toList());
    }
    if (action.equals("list") && status != null && !STATUSES.contains(status)) {
      return "status must be one of " + String.join(", ", STATUSES.stream().sorted().toList());
    }
    return null;
  }

  private static long insert(SqliteDatabase db, JsonObject fix, String now) throws SQLException {
    PreparedStatement st = db.statement("fix_insert");
    st.setString(1, fix.getString("fingerprint"));
    st.setString(2, fix.getJsonArray("events", new JsonArray()).encode());
    st.setString(3, fix.getString("status"));
    st.setString(4, fix.getString("delivery", "branch"));
    st.setString(5, fix.getString("branch"));
    st.setString(6, fix.getString("worktree"));
    st.setString(7, fix.getString("commit"));
    st.setString(8, fix.getString("diff", ""));
    JsonObject verify = fix.getJsonObject("verify");
    if (verify == null) st.setNull(9, Types.VARCHAR);
    else st.setString(9, verify.encode());
    st.setString(10, fix.getString("summary", ""));
    st.setInt(11, fix.getInteger("attempts", 0));
    st.setString(12, now);
    st.setString(13, now);
    st.executeUpdate();
    try (ResultSet rs = db.statement("last_insert_id").executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static JsonObject setStatus(SqliteDatabase db, long id, String status, String worktree, String now) throws SQLException {
    PreparedStatement st = db.statement("fix_set_status");
    st.setString(1, status);
    st.setString(2, worktree);
    st.setString(3, now);
    st.setLong(4, id);
    st.executeUpdate();
    return found(get(db, id), id);
  }

  private static JsonObject found(JsonObject fix, long id) {
    if (fix == null) throw new StorageVerticle.Refusal(404, "No fix #" + id);
    return fix;
  }

  private static JsonObject get(SqliteDatabase db, long id) throws SQLException {
    PreparedStatement st = db.statement("fix_get");
    st.setLong(1, id);
    try (ResultSet rs = st.executeQuery()) {
      return rs.next() ? row(rs) : null;
    }
  }

  private static JsonObject list(SqliteDatabase db, String status, String fingerprint, int limit) throws SQLException {
    PreparedStatement st = db.statement("fix_list");
    st.setString(1, status);
    st.setString(2, status);
    st.setString(3, fingerprint);
    st.setString(4, fingerprint);
    st.setInt(5, Math.max(1, Math.min(limit, 1000)));
    JsonArray fixes = new JsonArray();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) fixes.add(row(rs));
    }
    return new JsonObject().put("fixes", fixes);
  }

  private static JsonObject row(ResultSet rs) throws SQLException {
    String verify = rs.getString("verify");
    return new JsonObject()
        .put("id", rs.getLong("id"))
        .put("fingerprint", rs.getString("fingerprint"))
        .put("events", new JsonArray(rs.getString("event_ids")))
        .put("status", rs.getString("status"))
        .put("delivery", rs.getString("delivery"))
        .put("branch", rs.getString("branch"))
        .put("worktree", rs.getString("worktree"))
        .put("commit", rs.getString("commit_id"))
        .put("diff", rs.getString("diff"))
        .put("verify", verify == null ? null : new JsonObject(verify))
        .put("summary", rs.getString("summary"))
        .put("attempts", rs.getInt("attempts"))
        .put("createdAt", rs.getString("created_at"))
        .put("updatedAt", rs.getString("updated_at"));
  }
}
