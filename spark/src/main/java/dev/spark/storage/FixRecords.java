package dev.spark.storage;

import dev.spark.bus.FixOp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The {@code fixes} table: one row per fix the agent made (or tried). Written and read on the writer
 * thread (a handful of rows, read right after they change: a list made after an apply sees it), one
 * {@link FixOp} at a time.
 */
final class FixRecords {
  private FixRecords() {}

  /** A fix that was written or changed, in the transaction that writes it (the agent-fix alerts go in the same one). */
  interface Recorded {
    void fix(JsonObject fix) throws SQLException;
  }

  static FixOp.Reply handle(SqliteDatabase db, FixOp<?> op, String now, Recorded recorded) throws SQLException {
    if (op instanceof FixOp.Record r) {
      return db.inTransaction(() -> {
        long id = insert(db, r.fix(), now);
        if (r.release() != null) AgentOutbox.delete(db, r.release().subscriber(), r.release().firstId());
        return told(recorded, get(db, id));
      });
    }
    if (op instanceof FixOp.SetStatus s) {
      return db.inTransaction(() -> told(recorded, setStatus(db, s.id(), s.status(), s.worktree(), now)));
    }
    if (op instanceof FixOp.Get g) return db.inTransaction(() -> new FixOp.Fix(found(get(db, g.id()), g.id())));
    if (op instanceof FixOp.Find f) return db.inTransaction(() -> list(db, f.status(), f.fingerprint(), f.limit()));
    throw new IllegalArgumentException("Unknown fix operation: " + op);
  }

  private static FixOp.Fix told(Recorded recorded, JsonObject fix) throws SQLException {
    recorded.fix(fix);
    return new FixOp.Fix(fix);
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

  private static FixOp.Fixes list(SqliteDatabase db, String status, String fingerprint, int limit) throws SQLException {
    PreparedStatement st = db.statement("fix_list");
    st.setString(1, status);
    st.setString(2, status);
    st.setString(3, fingerprint);
    st.setString(4, fingerprint);
    st.setInt(5, limit);
    JsonArray fixes = new JsonArray();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) fixes.add(row(rs));
    }
    return new FixOp.Fixes(fixes);
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
