package dev.spark.storage;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Rebuilds the indexes when SQLite finds one missing an entry ({@code SQLITE_CORRUPT_INDEX}: a
 * DELETE or UPDATE did not find the index entry of a row it changed). The rows themselves are intact
 * and every index is derived from them, so {@code REINDEX} repairs the file in place, as SQLite's
 * authors advise. Left alone, every janitor pass (and every write touching such an entry) fails the
 * same way for ever, and the file grows past {@code maxSizeMB}. Seen once in CI, cause unknown.
 */
final class IndexRepair {
  private static final Logger LOG = Logger.getLogger(IndexRepair.class.getName());

  private final SqliteDatabase db;
  /** Repairs made since the process started (storage stats: {@code indexRepairs}). */
  final AtomicLong repairs = new AtomicLong();

  IndexRepair(SqliteDatabase db) {
    this.db = db;
  }

  /** True for SQLite's "an entry is or was missing from an index", anywhere in {@code e}'s causes. */
  static boolean missingIndexEntry(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException se && se.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT_INDEX) return true;
    }
    return false;
  }

  /**
   * When {@code failure} says an index is missing an entry: rolls back whatever the failed work left
   * open, runs {@code REINDEX} on the writer's connection and answers true (the work may then be
   * tried again); otherwise does nothing and answers false.
   */
  boolean after(Throwable failure) throws SQLException {
    if (!missingIndexEntry(failure)) return false;
    long started = System.nanoTime();
    db.rollbackQuietly();
    db.outsideTransaction(st -> st.execute("REINDEX"));
    repairs.incrementAndGet();
    LOG.warning("SQLite found an index missing an entry (" + failure.getMessage() + "); rebuilt every index from the rows in "
        + (System.nanoTime() - started) / 1_000_000 + " ms. Nothing was lost: the rows are intact and indexes are derived from them."
        + " If it happens again, keep a copy of the file and run PRAGMA integrity_check on it.");
    return true;
  }
}
