package dev.spark.storage;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * The file's upkeep on the writer's connection: its sizes, giving free pages back, checkpointing the
 * WAL and a full VACUUM. All of it runs outside a transaction (SQLite's rule for these pragmas).
 */
final class Maintenance {
  /** {@code PRAGMA auto_vacuum} of a file that gives pages back in steps. */
  private static final long INCREMENTAL = 2;

  private final SqliteDatabase db;

  Maintenance(SqliteDatabase db) {
    this.db = db;
  }

  /**
   * Bytes the live data takes: pages in use, free pages excluded. The WAL is left out on purpose:
   * deleting rows grows it until the next checkpoint, which {@link #reclaim} runs.
   */
  long usedBytes() throws SQLException {
    return (db.pragmaLong("page_count") - freePages()) * db.pragmaLong("page_size");
  }

  /** The database file plus its WAL, in bytes. */
  long fileBytes() {
    return SqliteFiles.fileBytes(db.path());
  }

  long freePages() throws SQLException {
    return db.pragmaLong("freelist_count");
  }

  /**
   * Gives up to {@code pages} free pages back to the file system (auto_vacuum=INCREMENTAL files;
   * 0 otherwise); returns how many went. A step of a big reclaim, so the writer is not held long.
   */
  int incrementalVacuum(int pages) throws SQLException {
    if (db.pragmaLong("auto_vacuum") != INCREMENTAL) return 0;
    long before = freePages();
    db.outsideTransaction(st -> st.executeUpdate("PRAGMA incremental_vacuum(" + Math.max(1, pages) + ")"));
    return (int) (before - freePages());
  }

  /** Gives free pages back to the file system and truncates the WAL. */
  void reclaim() throws SQLException {
    db.outsideTransaction(st -> {
      if (db.pragmaLong("auto_vacuum") == INCREMENTAL) {
        // executeUpdate steps the pragma to the end; execute would free a single page.
        st.executeUpdate("PRAGMA incremental_vacuum");
      } else if (freePages() > 0) {
        st.execute("VACUUM");
      }
      return truncateWal(st);
    });
  }

  /**
   * Checkpoints the WAL, rebuilds the whole file with a full {@code VACUUM} (every free page given
   * back, tables and indexes defragmented), then truncates the WAL the rebuild went through.
   */
  void vacuum() throws SQLException {
    db.outsideTransaction(st -> {
      truncateWal(st);
      st.execute("VACUUM");
      return truncateWal(st);
    });
  }

  /** Copies the whole WAL into the file and truncates it, never beside another checkpoint of this process. */
  private boolean truncateWal(Statement st) throws SQLException {
    db.checkpointLock().lock();
    try {
      return st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      db.checkpointLock().unlock();
    }
  }
}
