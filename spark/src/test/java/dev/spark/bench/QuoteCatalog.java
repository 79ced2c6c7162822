package dev.spark.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The realistic app's own SQLite file (not Spark's): a {@code products} table seeded with
 * {@link #SIZE} rows, each with a JSON column, read by primary key through a small pool of
 * sqlite-jdbc connections, each with its prepared statement. {@link #lookup} blocks: call it on a
 * worker thread.
 */
final class QuoteCatalog implements AutoCloseable {
  static final int SIZE = 10_000;
  private static final String[] COLORS = {"black", "white", "red", "green", "blue", "grey", "orange", "teal"};
  private static final String[] MATERIALS = {"steel", "oak", "cotton", "wool", "aluminium", "glass", "leather"};
  private static final String[] TAGS = {"new", "sale", "eco", "bestseller", "outdoor", "kitchen", "office", "gift", "bulk"};

  /** One row of {@code products}. */
  record Product(long id, String sku, String name, long priceCents, int stock, String attrs) {}

  private record Reader(Connection connection, PreparedStatement select) {}

  private final BlockingQueue<Reader> pool;

  private QuoteCatalog(BlockingQueue<Reader> pool) {
    this.pool = pool;
  }

  /** Creates and seeds {@code db}, then opens {@code connections} readers on it. */
  static QuoteCatalog create(Path db, int connections) throws SQLException {
    String url = "jdbc:sqlite:" + db.toAbsolutePath();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode=WAL");
      st.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
          + " price_cents INTEGER NOT NULL, stock INTEGER NOT NULL, attrs TEXT NOT NULL)");
      c.setAutoCommit(false);
      Random random = new Random(42);
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO products VALUES (?, ?, ?, ?, ?, ?)")) {
        for (int id = 1; id <= SIZE; id++) {
          insert.setLong(1, id);
          insert.setString(2, String.format("SKU-%06d", id));
          insert.setString(3, MATERIALS[random.nextInt(MATERIALS.length)] + " " + COLORS[random.nextInt(COLORS.length)] + " item " + id);
          insert.setLong(4, 99 + random.nextInt(50_000));
          insert.setInt(5, random.nextInt(40));
          insert.setString(6, attrs(random).encode());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      c.commit();
    }
    BlockingQueue<Reader> pool = new ArrayBlockingQueue<>(connections);
    for (int i = 0; i < connections; i++) {
      Connection c = DriverManager.getConnection(url);
      pool.add(new Reader(c, c.prepareStatement("SELECT sku, name, price_cents, stock, attrs FROM products WHERE id = ?")));
    }
    return new QuoteCatalog(pool);
  }

  private static JsonObject attrs(Random random) {
    JsonArray tags = new JsonArray();
    for (int i = 0; i < 3; i++) tags.add(TAGS[random.nextInt(TAGS.length)]);
    return new JsonObject()
        .put("color", COLORS[random.nextInt(COLORS.length)])
        .put("material", MATERIALS[random.nextInt(MATERIALS.length)])
        .put("weightGrams", 50 + random.nextInt(5000))
        .put("dimensionsMm", new JsonObject().put("w", 10 + random.nextInt(900)).put("h", 10 + random.nextInt(900)).put("d", 10 + random.nextInt(900)))
        .put("tags", tags)
        .put("origin", random.nextBoolean() ? "EU" : "US")
        .put("warrantyMonths", 6 * (1 + random.nextInt(8)))
        .put("description", "A sturdy, well made product for everyday use, number " + random.nextInt(1_000_000));
  }

  /** The products with these ids, in order; null for an id with no row. Blocks (pool, SQLite). */
  List<Product> lookup(long[] ids) throws SQLException, InterruptedException {
    Reader r = pool.poll(10, TimeUnit.SECONDS);
    if (r == null) throw new SQLException("no free connection in 10 s");
    try {
      List<Product> out = new ArrayList<>(ids.length);
      for (long id : ids) {
        r.select.setLong(1, id);
        try (ResultSet rs = r.select.executeQuery()) {
          out.add(rs.next() ? new Product(id, rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5)) : null);
        }
      }
      return out;
    } finally {
      pool.add(r);
    }
  }

  @Override
  public void close() throws SQLException {
    for (Reader r : pool) r.connection.close();
  }
}
