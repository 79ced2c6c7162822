package dev.spark.storage;

import io.vertx.core.json.JsonObject;

import java.sql.SQLException;

/** The {@code spark_meta} table on the writer's connection: small JSON values by key (the last cleanup, the write probe). */
final class Meta {
  private final SqliteDatabase db;

  Meta(SqliteDatabase db) {
    this.db = db;
  }

  /** Stores {@code value} under {@code key}, replacing what was there, in its own transaction. */
  void put(String key, JsonObject value) throws SQLException {
    db.inTransaction(() -> db.updateOnce("put_meta", key, value.encode()));
  }
}
