package dev.spark.cli;

import dev.spark.bus.Addresses;
import dev.spark.event.ValidationException;
import dev.spark.ingest.IngestResult;
import dev.spark.ingest.Ingestor;
import dev.spark.janitor.JanitorVerticle;
import dev.spark.query.IssuesApi;
import dev.spark.query.QueryApi;
import dev.spark.query.ReadStore;
import dev.spark.query.StatusReport;
import dev.spark.storage.StorageVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The database file, with no Spark running. Reads go through {@link ReadStore#readOnly} (an SQLite
 * connection opened read-only) and the same query and status code the HTTP API uses. Writes never
 * touch the file directly: they deploy Spark's own {@link StorageVerticle} (the single writer, with
 * its busy timeout and queue) and, for maintenance, {@link JanitorVerticle}, in a Vert.x of the
 * CLI's own, and go through the event bus and {@link Ingestor} exactly as inside Spark.
 */
final class LocalAccess implements SparkAccess {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration WRITE_TIMEOUT = Duration.ofMinutes(15);
  private static final DeliveryOptions SLOW = new DeliveryOptions().setSendTimeout(WRITE_TIMEOUT.toMillis());

  private final Settings settings;
  private Vertx vertx;
  private ReadStore reads;
  private boolean storage;
  private boolean janitor;

  LocalAccess(Settings settings) {
    this.settings = settings;
  }

  @Override
  public JsonObject events(Map<String, String> params) {
    return read(QueryApi.events(reads(), params));
  }

  @Override
  public JsonObject access(Map<String, String> params) {
    return read(QueryApi.access(reads(), params));
  }

  @Override
  public JsonObject status() {
    return read(StatusReport.build(reads(), settings.dbPath, null));
  }

  @Override
  public JsonObject cleanup() {
    deploy(true);
    return write(vertx().eventBus().<JsonObject>request(Addresses.JANITOR_RUN, new JsonObject(), SLOW).map(Message::body));
  }

  @Override
  public JsonObject vacuum() {
    deploy(true);
    return write(vertx().eventBus().<JsonObject>request(Addresses.JANITOR_VACUUM, new JsonObject(), SLOW).map(Message::body));
  }

  @Override
  public JsonObject issues(Map<String, String> params) {
    return read(IssuesApi.list(reads(), params));
  }

  @Override
  public JsonObject issue(String fingerprint, Map<String, String> params) {
    JsonObject issue = read(IssuesApi.get(reads(), fingerprint, params));
    if (issue == null) throw new CliException("No issue with fingerprint " + fingerprint);
    return issue;
  }

  /** Through Spark's own storage verticle, the single writer, like every write of the CLI. */
  @Override
  public JsonObject issueStatus(String fingerprint, String action) {
    deploy(false);
    JsonObject changed = write(IssuesApi.setStatus(vertx(), fingerprint, action));
    if (changed == null) throw new CliException("No issue with fingerprint " + fingerprint);
    return changed;
  }

  @Override
  public JsonObject ingestEvent(JsonObject event) {
    deploy(false);
    return write(new Ingestor(vertx(), settings.cfg).events(event).map(IngestResult::toJson));
  }

  @Override
  public String where() {
    return "the database file " + settings.db();
  }

  /** Closes the read pool, then Vert.x: storage commits what is queued, checkpoints and closes the file. */
  @Override
  public void close() {
    if (vertx == null) return;
    try {
      if (reads != null) await(reads.close(), READ_TIMEOUT);
    } finally {
      await(vertx.close(), WRITE_TIMEOUT);
      vertx = null;
    }
  }

  private Vertx vertx() {
    if (vertx == null) vertx = Vertx.vertx();
    return vertx;
  }

  private ReadStore reads() {
    if (reads == null) reads = ReadStore.readOnly(vertx(), settings.dbPath);
    return reads;
  }

  private void deploy(boolean withJanitor) {
    DeploymentOptions options = new DeploymentOptions().setConfig(settings.verticleConfig());
    try {
      if (!storage) {
        await(vertx().deployVerticle(new StorageVerticle(), options), WRITE_TIMEOUT);
        storage = true;
      }
      if (withJanitor && !janitor) {
        await(vertx().deployVerticle(new JanitorVerticle(), options), WRITE_TIMEOUT);
        janitor = true;
      }
    } catch (CliException e) {
      throw e;
    } catch (Exception e) {
      throw new CliException("Cannot open the database " + settings.db() + ": " + e.getMessage());
    }
  }

  private JsonObject read(Future<JsonObject> answer) {
    try {
      return await(answer, READ_TIMEOUT);
    } catch (ValidationException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    } catch (CliException e) {
      throw e;
    } catch (Exception e) {
      throw new CliException("Cannot read the database " + settings.db() + ": " + e.getMessage());
    }
  }

  private JsonObject write(Future<JsonObject> answer) {
    try {
      return await(answer, WRITE_TIMEOUT);
    } catch (ValidationException e) {
      throw new CliException(CliException.USAGE, e.getMessage());
    } catch (CliException e) {
      throw e;
    } catch (Exception e) {
      throw new CliException("Writing to the database " + settings.db() + " failed: " + e.getMessage());
    }
  }

  private static <T> T await(Future<T> future, Duration timeout) {
    try {
      return future.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new CliException("Gave up after " + timeout.toSeconds() + " s waiting for the database");
    }
  }
}
