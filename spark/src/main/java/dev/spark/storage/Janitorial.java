package dev.spark.storage;

import dev.spark.bus.RetentionOp;
import dev.spark.bus.RetentionOp.Deleted;
import dev.spark.bus.RetentionOp.Reply;

import java.sql.SQLException;

/**
 * Runs the janitor's {@link RetentionOp}s on the writer thread, one small step per request so ingest
 * keeps flowing between them (except a vacuum, which rebuilds the whole file in one go and holds the
 * writer while it does). What a step writes to the WAL is copied into the file by the
 * {@link Checkpointer} on its own thread, like ingest's commits: a checkpoint here, with its fsyncs,
 * held the writer (and every ingest commit queued behind it) for as long as the disk took.
 */
final class Janitorial {
  private final Retention retention;
  private final Maintenance maintenance;
  private final Meta meta;
  private final SqliteDatabase db;

  Janitorial(SqliteDatabase db) {
    this.db = db;
    this.retention = new Retention(db);
    this.maintenance = new Maintenance(db);
    this.meta = new Meta(db);
  }

  /** Runs {@code op}; once more after an index repair when it failed on an index missing an entry ({@link IndexRepair}). */
  Reply run(RetentionOp<?> op) throws SQLException {
    try {
      return runOnce(op);
    } catch (SQLException e) {
      if (!db.indexRepair().after(e)) throw e;
      return runOnce(op);
    }
  }

  private Reply runOnce(RetentionOp<?> op) throws SQLException {
    long started = System.nanoTime();
    if (op instanceof RetentionOp.DeleteAgedEvents o) return deleted(retention.agedEvents(o.maxAgeDays(), o.chunk()), started);
    if (op instanceof RetentionOp.DeleteAgedIssues o) return deleted(retention.agedIssues(o.maxAgeDays(), o.chunk()), started);
    if (op instanceof RetentionOp.DeleteAgedAccess o) return deleted(retention.agedAccess(o.maxAgeDays(), o.chunk()), started);
    if (op instanceof RetentionOp.DeleteOldestAccess o) return deleted(retention.oldestAccess(o.chunk()), started);
    if (op instanceof RetentionOp.DeleteOldestEvents o) return deleted(retention.oldestEvents(o.chunk()), started);
    if (op instanceof RetentionOp.ReclaimStep o) {
      int freed = maintenance.incrementalVacuum(o.pages());
      return new RetentionOp.Reclaimed(freed, maintenance.freePages(), System.nanoTime() - started);
    }
    if (op instanceof RetentionOp.MeasureSizes) return sizes();
    if (op instanceof RetentionOp.Reclaim) {
      maintenance.reclaim();
      return sizes();
    }
    if (op instanceof RetentionOp.Vacuum) return vacuum();
    if (op instanceof RetentionOp.PutMeta o) {
      meta.put(o.key(), o.value());
      return new RetentionOp.MetaStored(o.key());
    }
    throw new IllegalArgumentException("Unknown maintenance operation: " + op);
  }

  /** A full VACUUM with the sizes (database plus WAL) before and after. */
  private RetentionOp.Vacuumed vacuum() throws SQLException {
    long started = System.nanoTime();
    long before = maintenance.fileBytes();
    maintenance.vacuum();
    return new RetentionOp.Vacuumed(before, maintenance.fileBytes(), maintenance.usedBytes(), (System.nanoTime() - started) / 1_000_000);
  }

  private RetentionOp.Sizes sizes() throws SQLException {
    return new RetentionOp.Sizes(maintenance.usedBytes(), maintenance.fileBytes());
  }

  private static Deleted deleted(int rows, long started) {
    return new Deleted(rows, System.nanoTime() - started);
  }
}
