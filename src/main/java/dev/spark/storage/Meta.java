package dev.spark.storage;

import io.vertx.core.json.JsonObject;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/** The {@code spark_meta} table on the writer's connection: small JSON values by key (the last cleanup, the write probe). */
final class Meta {
  private final SqliteDatabase db;

  Meta(SqliteDatabase db) {
    this.db = db;
  }

  /** Stores {@code value} under {@code key}, replacing what was there, in its own transaction. */
  void put(String key, JsonObject value) throws SQLException {
    db.inTransaction(() -> {
      PreparedStatement st = db.statement("put_meta");
      st.setString(1, key);
      st.setString(2, value.encode());
      return st.executeUpdate();
    });
  }
}
