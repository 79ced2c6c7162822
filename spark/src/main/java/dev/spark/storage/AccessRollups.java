package dev.spark.storage;

import dev.spark.event.AccessRow;
import dev.spark.event.Timestamps;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the access-log rollups (see {@code sql/schema.sql}) in step with {@code access_logs}, on the
 * writer's connection: rows inserted are added, rows the janitor deletes are taken away. Each level
 * has one row per (bucket, method, route, feature, status, duration bucket) with the count and the
 * exact sum of the durations. The minute level and the totals take every row; the hour, day and
 * all-time levels only rows of minutes already folded ({@link RollupFold}), the rest reaching them when
 * their minute is folded.
 *
 * <p>Rows inserted are tallied in memory and applied to the tables in one go every {@link #FLUSH_ROWS}
 * rows or {@link #FLUSH_NANOS}, before a fold and before a delete, in the transaction of the commit that
 * crosses the line, with the mark {@value #THROUGH} (in the {@link #META_KEY} meta value): the tables
 * hold exactly the rows with an id up to it. A reader adds the rows after the mark from
 * {@code access_logs} (a primary-key range of at most a flush's rows), so the statistics read are
 * always those of the rows on disk. After a crash or a rollback, the rows after the mark are tallied
 * again from the file. Applying per flush instead of per commit took the upserts (about one per row
 * at 40-row commits) off the writer's per-row path (BENCHMARKS.md, session 12).
 */
public final class AccessRollups {
  public static final String META_KEY = "access_rollups";
  /**
   * The bucketing of the rollups. 1: whole milliseconds, exact below one second; 2: three significant
   * digits at every scale, fractions of a millisecond kept; 3: the same, plus access_minute_totals;
   * 4: the same, hour and day folded from sealed minutes up to a watermark ({@link RollupFold}); 5: the
   * same, plus {@link RollupLevel#ALL}; 6: the same, applied per flush up to the mark {@value #THROUGH}.
   * A file with another version has its rollups rebuilt from its rows once, at open (version 5's are
   * kept: they held every row).
   */
  public static final int VERSION = 6;
  /** The first {@link #VERSION} with the mark {@value #THROUGH}. */
  public static final int THROUGH_SINCE = 6;
  /** The meta field of the mark: the rollups hold the rows with an id up to it, and no other. */
  public static final String THROUGH = "through";
  /** Rows tallied in memory before they are applied to the tables (the most a reader reads raw). */
  static final int FLUSH_ROWS = 4_096;
  /** The access_logs columns a tally reads a stored row from ({@link Tally#add(ResultSet, int)}), in order. */
  static final String TALLIED_COLUMNS = "id, timestamp, method, path, feature, status, duration_ms";
  /** How long rows stay tallied in memory at most, while commits go on. */
  static final long FLUSH_NANOS = 1_000_000_000L;
  /** The first {@link #VERSION} whose rollups include {@link RollupLevel#ALL}. */
  public static final int ALL_SINCE = 5;
  public static final String TOTALS = "access_minute_totals";
  /** The first {@link #VERSION} whose rollups include {@link #TOTALS}. */
  public static final int TOTALS_SINCE = 3;
  private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_UP);
  /** A missing duration is stored as this (primary-key columns cannot hold NULL usefully). */
  public static final double UNTIMED = -1;

  private static final RollupLevel[] LEVELS = RollupLevel.values();
  private static final int MINUTE_INDEX = RollupLevel.MINUTE.ordinal();
  private final Connection conn;
  private final Map<RollupLevel, PreparedStatement> upserts = new EnumMap<>(RollupLevel.class);
  private final Map<RollupLevel, PreparedStatement> prunes = new EnumMap<>(RollupLevel.class);
  private final PreparedStatement totalsUpsert;
  private final PreparedStatement totalsPrune;
  private final KnownRoutes routes = new KnownRoutes();
  /** The fold watermark and the folds (package-private for tests of the catch-up budget). */
  final RollupFold folding;
  /** Rows added since the last flush, not yet in the tables: ids (the mark, newestId]; null when none. */
  private Tally pending;
  private int pendingRows;
  private long pendingSince;
  private long newestId;
  /** Whether {@link #pending} must be tallied again from the rows after the mark (at open, after a rollback). */
  private boolean stale = true;

  AccessRollups(Connection conn) throws SQLException {
    this.conn = conn;
    for (RollupLevel level : RollupLevel.values()) {
      upserts.put(level, conn.prepareStatement("INSERT INTO " + level.table
          + " (bucket, method, route, feature, status, duration_ms, n, sum_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
          + " ON CONFLICT DO UPDATE SET n = n + excluded.n, sum_ms = sum_ms + excluded.sum_ms"));
      prunes.put(level, conn.prepareStatement("DELETE FROM " + level.table + " WHERE bucket <= ? AND n <= 0"));
    }
    totalsUpsert = conn.prepareStatement("INSERT INTO " + TOTALS + " (bucket, method, n, errors) VALUES (?, ?, ?, ?)"
        + " ON CONFLICT DO UPDATE SET n = n + excluded.n, errors = errors + excluded.errors");
    totalsPrune = conn.prepareStatement("DELETE FROM " + TOTALS + " WHERE bucket <= ? AND n <= 0");
    folding = new RollupFold(conn);
  }

  /**
   * Folds the minutes sealed at {@code now} into the hour and day levels (no commit); the writer calls
   * it in each transaction, after adding rows (a row of a minute folded here reached the minute level
   * only, and the fold carries it up). Returns the fold watermark.
   */
  String fold(Instant now) throws SQLException {
    if (stale || pending != null && (folding.due(now) || System.nanoTime() - pendingSince >= FLUSH_NANOS)) flush();
    return folding.fold(now);
  }

  /**
   * Applies the rows tallied in memory to the tables and moves the mark to the newest (no commit).
   * The writer calls it before it closes the file; {@link #fold} and {@link #subtract} call it when due.
   */
  void flush() throws SQLException {
    if (stale) reload(Long.MAX_VALUE);
    if (pending == null) return;
    pending.apply();
    try (PreparedStatement st = conn.prepareStatement(Sql.get("put_rollup_through"))) {
      st.setLong(1, newestId);
      st.setString(2, META_KEY);
      st.executeUpdate();
    }
    pending = null;
    pendingRows = 0;
  }

  /**
   * The rows after the mark up to id {@code upTo}, tallied again from the file: what a crash or a
   * rollback lost of {@link #pending}.
   */
  private void reload(long upTo) throws SQLException {
    pending = null;
    pendingRows = 0;
    long through;
    try (PreparedStatement st = conn.prepareStatement(Sql.get("get_meta"))) {
      st.setString(1, META_KEY);
      try (ResultSet rs = st.executeQuery()) {
        through = rs.next() ? new JsonObject(rs.getString(1)).getLong(THROUGH, 0L) : 0L;
      }
    }
    newestId = through;
    stale = false;
    try (PreparedStatement st = conn.prepareStatement(Sql.get("access_after_through"))) {
      st.setLong(1, through);
      st.setLong(2, upTo);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          pending().add(rs, 1);
          pendingRows++;
          newestId = rs.getLong(1);
        }
      }
    }
  }

  private Tally pending() throws SQLException {
    if (pending == null) {
      pending = new Tally(folding.watermark());
      pendingSince = System.nanoTime();
    }
    return pending;
  }

  /**
   * Where the hour and day levels end, from the {@link #META_KEY} meta value read with them: the end of
   * the fold watermark's minute; {@link Instant#MIN} when nothing is folded; null for rollups from
   * before folding (or none), whose every level holds every row.
   */
  public static Instant foldedUntil(JsonObject meta) {
    String w = RollupFold.watermarkOf(meta);
    if (w == null) return null;
    if (w.isEmpty()) return Instant.MIN;
    return Timestamps.parse(w + ":00.000Z").plusSeconds(60);
  }

  /**
   * The mark in the {@link #META_KEY} meta value: the rollups hold the rows with an id up to it, a reader
   * reads those after it from access_logs; null on a file from before the mark, whose rollups hold every row.
   */
  public static Long through(JsonObject meta) {
    return meta == null || meta.getInteger("version", 0) < THROUGH_SINCE ? null : meta.getLong(THROUGH, 0L);
  }

  /** The transaction was rolled back: what is known of the watermark is read again from the file. */
  void rolledBack() {
    folding.forget();
    pending = null;
    pendingRows = 0;
    stale = true;
  }

  /**
   * Durations are counted to three significant digits at every scale (0.01234 ms counts as 0.0123,
   * 0.3742 ms as 0.374, 1,234 ms as 1,230), which bounds the rows per route and bucket and keeps every
   * percentile within 0.5 % of the exact one (the nearest three-digit value); 0 stays 0.
   */
  public static double durationBucket(Double ms) {
    if (ms == null || ms < 0 || ms.isNaN()) return UNTIMED;
    if (ms == 0 || ms.isInfinite()) return ms;
    // Whole milliseconds below 1,000 have at most three significant digits: already their own bucket.
    if (ms < 1000 && ms == Math.rint(ms)) return ms;
    double fast = threeDigitsFast(ms);
    return Double.isNaN(fast) ? new BigDecimal(ms).round(THREE_DIGITS).doubleValue() : fast;
  }

  private static final double[] POW10 = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

  /**
   * The same rounding in doubles, for 1e-6 ≤ ms < 1e9 (SparkWeb's fractional milliseconds): scaled to
   * 100 ≤ y < 1000, y is within an ulp of the exact product, so it names the same nearest integer as
   * BigDecimal unless it lies near a tie; there the exact product is compared with the tie
   * ({@link #atOrAboveTie}). The integer divided by an exact power of ten is the correctly rounded
   * double of that decimal, as BigDecimal.doubleValue is. NaN: out of range, BigDecimal decides.
   */
  static double threeDigitsFast(double ms) {
    if (!(ms >= 1e-6 && ms < 1e9)) return Double.NaN;
    int k = 2 - (int) Math.floor(Math.log10(ms));
    double y = scaled(ms, k);
    if (y >= 1000) y = scaled(ms, --k);
    else if (y < 100) y = scaled(ms, ++k);
    if (y < 100 || y >= 1000) return Double.NaN;
    double whole = Math.floor(y);
    double fraction = y - whole;
    boolean up = Math.abs(fraction - 0.5) < 1e-6 ? atOrAboveTie(ms, k, whole + 0.5) : fraction > 0.5;
    double r = up ? whole + 1 : whole;
    return k >= 0 ? r / POW10[k] : r * POW10[-k];
  }

  /**
   * Whether ms × 10^k, exactly, is at least {@code tie} (a whole number and a half below 1,000): HALF_UP
   * rounds an exact tie up. Durations to the microsecond (SparkWeb's) put one in ten fractional values
   * here. For k ≥ 0 the fused multiply-add rounds once, after the exact difference, so its sign is
   * exact; for k &lt; 0, tie × 10^-k is itself exact (under 2^35 halves).
   */
  private static boolean atOrAboveTie(double ms, int k, double tie) {
    return k >= 0 ? Math.fma(ms, POW10[k], -tie) >= 0 : ms >= tie * POW10[-k];
  }

  private static double scaled(double ms, int k) {
    return k >= 0 ? ms * POW10[k] : ms / POW10[-k];
  }

  /** Adds inserted rows, the last of them {@code lastId}, applying them to the tables when due (no commit). */
  void add(List<AccessRow> rows, long lastId) throws SQLException {
    // The rows before these; these are inserted already, and tallied below.
    if (stale) reload(lastId - rows.size());
    Tally tally = pending();
    for (AccessRow r : rows) tally.add(r.timestamp(), r.method(), r.path(), r.feature(), r.status(), r.durationMs(), 1);
    pendingRows += rows.size();
    newestId = lastId;
    if (pendingRows >= FLUSH_ROWS) flush();
  }

  /** A tally of its own, applied by its owner (a rebuild). */
  Tally tally(String watermark) {
    return new Tally(watermark);
  }

  /**
   * Takes away the rows with ids in {@code [fromId, throughId]} that {@code where} (a condition on
   * access_logs, with {@code values}) selects, before the caller deletes exactly those rows (no commit).
   */
  void subtract(long fromId, long throughId, String where, Object... values) throws SQLException {
    flush();
    String sql = "SELECT " + TALLIED_COLUMNS + " FROM access_logs WHERE id >= ? AND id <= ?"
        + (where == null ? "" : " AND " + where);
    Tally tally = new Tally(folding.watermark());
    String newest = null;
    try (PreparedStatement st = conn.prepareStatement(sql)) {
      st.setLong(1, fromId);
      st.setLong(2, throughId);
      for (int i = 0; i < values.length; i++) st.setObject(i + 3, values[i]);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String ts = rs.getString(2);
          tally.add(rs, -1);
          if (newest == null || ts.compareTo(newest) > 0) newest = ts;
        }
      }
    }
    tally.apply();
    // Every bucket up to the newest deleted row's may now hold rows whose count fell to zero.
    if (newest == null) return;
    for (RollupLevel level : RollupLevel.values()) {
      PreparedStatement prune = prunes.get(level);
      prune.setString(1, level.bucket(newest));
      prune.executeUpdate();
    }
    totalsPrune.setString(1, RollupLevel.MINUTE.bucket(newest));
    totalsPrune.executeUpdate();
  }

  /**
   * Deltas of one operation per rollup row, applied with one batched upsert per level. A row whose
   * minute is after the fold watermark counts in the minute level only (its hour and day are folded
   * from the minutes later).
   */
  final class Tally {
    private final Map<RollupLevel, Map<RollupKey, double[]>> deltas = new EnumMap<>(RollupLevel.class);
    /** Per minute bucket and method: requests and server errors. */
    private final Map<TotalsKey, long[]> totals = new HashMap<>();
    /** The previous row's totals: rows come in time order, most share their minute and method. */
    private long[] lastTotals;
    private String lastTotalsMinute;
    private String lastTotalsMethod;
    private final RollupKey probe = new RollupKey();
    /** The time buckets of the previous row, per level: rows come in time order, most share their minute. */
    private final String[] buckets = new String[LEVELS.length];
    private String bucketsOf;
    /** Whether the previous row's minute is folded (counted in all levels). */
    private boolean folded;
    private final String watermark;

    Tally(String watermark) {
      this.watermark = watermark;
    }

    void add(String timestamp, String method, String path, String feature, int status, Double durationMs, int sign) {
      String route = routes.of(path);
      double bucket = durationBucket(durationMs);
      double sum = bucket == UNTIMED ? 0 : durationMs;
      if (bucketsOf == null || !timestamp.regionMatches(0, bucketsOf, 0, RollupLevel.MINUTE.length)) {
        for (int i = 0; i < LEVELS.length; i++) buckets[i] = LEVELS[i].bucket(timestamp);
        bucketsOf = timestamp;
        folded = buckets[MINUTE_INDEX].compareTo(watermark) <= 0;
      }
      for (int i = folded ? 0 : MINUTE_INDEX; i < LEVELS.length; i++) {
        Map<RollupKey, double[]> level = deltas.computeIfAbsent(LEVELS[i], l -> new HashMap<>());
        double[] d = level.get(probe.set(buckets[i], method, route, feature == null ? "" : feature, status, bucket));
        if (d == null) level.put(probe.copy(), d = new double[2]);
        d[0] += sign;
        d[1] += sign * sum;
      }
      String minute = buckets[MINUTE_INDEX];
      if (!minute.equals(lastTotalsMinute) || !Objects.equals(method, lastTotalsMethod)) {
        lastTotals = totals.computeIfAbsent(new TotalsKey(minute, method), k -> new long[2]);
        lastTotalsMinute = minute;
        lastTotalsMethod = method;
      }
      lastTotals[0] += sign;
      if (status >= 500) lastTotals[1] += sign;
    }

    /** Adds the stored row under {@code rs}'s cursor, selected as {@link #TALLIED_COLUMNS}. */
    void add(ResultSet rs, int sign) throws SQLException {
      double d = rs.getDouble(7);
      Double duration = rs.wasNull() ? null : d;
      add(rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6), duration, sign);
    }

    void apply() throws SQLException {
      for (Map.Entry<RollupLevel, Map<RollupKey, double[]>> level : deltas.entrySet()) {
        PreparedStatement st = upserts.get(level.getKey());
        for (Map.Entry<RollupKey, double[]> e : level.getValue().entrySet()) {
          RollupKey k = e.getKey();
          st.setString(1, k.bucket);
          st.setString(2, k.method);
          st.setString(3, k.route);
          st.setString(4, k.feature);
          st.setInt(5, k.status);
          st.setDouble(6, k.duration);
          st.setLong(7, (long) e.getValue()[0]);
          st.setDouble(8, e.getValue()[1]);
          st.addBatch();
        }
        st.executeBatch();
      }
      for (Map.Entry<TotalsKey, long[]> e : totals.entrySet()) {
        totalsUpsert.setString(1, e.getKey().bucket());
        totalsUpsert.setString(2, e.getKey().method());
        totalsUpsert.setLong(3, e.getValue()[0]);
        totalsUpsert.setLong(4, e.getValue()[1]);
        totalsUpsert.addBatch();
      }
      if (!totals.isEmpty()) totalsUpsert.executeBatch();
    }
  }

  private record TotalsKey(String bucket, String method) {}
}
