package dev.spark.bench;

import dev.spark.SparkVerticle;
import dev.spark.bus.Addresses;
import dev.spark.config.ConfigLoader;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.Map;

/** One Spark, deployed in-process as documented, on a fresh database file and a free port. */
final class SparkServer {
  static final String TOKEN = "bench";
  /** web.instances of every Spark the benchmarks start (and of the bare HTTP server beside it, {@link HttpCeiling}). */
  static final int WEB_INSTANCES = 2;

  final Vertx vertx;
  final Path db;
  final int port;
  private final String deploymentId;

  private SparkServer(Vertx vertx, Path db, int port, String deploymentId) {
    this.vertx = vertx;
    this.db = db;
    this.port = port;
    this.deploymentId = deploymentId;
  }

  /** The benches' {@code --ingest-instances}: ingest.instances of the Spark under test, 1 to 64 as Spark takes it. */
  static int ingestInstancesOption(String value) {
    int n = Integer.parseInt(value);
    if (n < 1 || n > 64) throw new IllegalArgumentException("--ingest-instances must be 1..64, not " + value);
    return n;
  }

  /** The configuration for {@code --ingest-instances} ({@code 0}: not given, Spark's default), and how the options line prints it. */
  static JsonObject ingestConfig(int instances) {
    return instances == 0 ? new JsonObject() : new JsonObject().put("ingest", new JsonObject().put("instances", instances));
  }

  /** How many ingest verticles the Spark under test runs for {@code --ingest-instances} (0: Spark's default). */
  static int ingestInstances(int option) {
    return option > 0 ? option : ConfigLoader.load(new JsonObject(), Map.of()).ingest().instances();
  }

  static String ingestOption(int instances) {
    return instances == 0 ? "default" : String.valueOf(instances);
  }

  static SparkServer start(Vertx vertx, Path db, String synchronous) {
    return start(vertx, db, synchronous, new JsonObject());
  }

  /** The same, with top-level configuration keys {@code extra} added (e.g. {@code "enabled": false}; {@code db} keys other than path and synchronous are kept). */
  static SparkServer start(Vertx vertx, Path db, String synchronous, JsonObject extra) {
    int port = freePort();
    JsonObject cfg = extra.copy()
        .put("db", extra.getJsonObject("db", new JsonObject()).copy().put("path", db.toString()).put("synchronous", synchronous))
        .put("web", new JsonObject().put("port", port).put("token", TOKEN).put("instances", WEB_INSTANCES));
    String id = Bench.await(vertx.deployVerticle(new SparkVerticle(), new DeploymentOptions().setConfig(cfg)), 60);
    return new SparkServer(vertx, db, port, id);
  }

  /** Undeploys; Spark's storage commits what is queued and closes the file before this returns. */
  void stop() {
    Bench.await(vertx.undeploy(deploymentId), 120);
  }

  JsonObject pollerStats() {
    return Bench.await(vertx.eventBus().<JsonObject>request(Addresses.POLLER_STATS, new JsonObject()), 10).body();
  }

  JsonObject storageStats() {
    return Bench.await(vertx.eventBus().<JsonObject>request(Addresses.STORAGE_STATS, new JsonObject()), 10).body();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads every id of {@code table} straight from the file (plain sqlite-jdbc, not Spark) and checks
   * that each acknowledged id is there.
   */
  static RunStats.Verification verify(Path db, String table, BitSet acked) {
    return verify(db, table, "SELECT id FROM " + table, rs -> rs.getLong(1), acked);
  }

  /** How a row that {@code select} finds names its id. */
  interface RowId {
    long of(ResultSet rs) throws SQLException;
  }

  /** The acknowledged ids against the ids {@code select} finds in the file ({@code table} names them in the report). */
  static RunStats.Verification verify(Path db, String table, String select, RowId id, BitSet acked) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(select)) {
      BitSet present = new BitSet();
      long rows = 0;
      while (rs.next()) {
        present.set((int) id.of(rs));
        rows++;
      }
      BitSet missing = (BitSet) acked.clone();
      missing.andNot(present);
      BitSet extra = (BitSet) present.clone();
      extra.andNot(acked);
      return new RunStats.Verification(table, rows, acked.cardinality(), missing.cardinality(), extra.cardinality(), null);
    } catch (SQLException | RuntimeException e) {
      return new RunStats.Verification(table, -1, acked.cardinality(), acked.cardinality(), 0, e.getMessage());
    }
  }

  static long count(Path db, String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
         Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      throw new IllegalStateException("Direct read of " + db + " failed: " + e.getMessage(), e);
    }
  }
}
