package dev.spark.cli;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.util.Map;

/**
 * How a CLI command reaches Spark's data: over HTTP when a Spark answers on web.host:web.port
 * ({@link HttpAccess}), otherwise through the database file itself ({@link LocalAccess}: reads on
 * a read-only connection, writes through Spark's own storage and janitor verticles). Both return
 * the JSON the HTTP API answers with.
 */
interface SparkAccess extends AutoCloseable {
  /** {@code GET /api/v1/events} with these query parameters. */
  JsonObject events(Map<String, String> params);

  /** {@code GET /api/v1/access} with these query parameters. */
  JsonObject access(Map<String, String> params);

  /** {@code GET /api/v1/status}. */
  JsonObject status();

  /** {@code POST /api/v1/admin/cleanup}: the janitor's report. */
  JsonObject cleanup();

  /** {@code POST /api/v1/admin/vacuum}: sizes before and after. */
  JsonObject vacuum();

  /** {@code GET /api/v1/issues} with these query parameters. */
  JsonObject issues(Map<String, String> params);

  /** {@code GET /api/v1/issues/{fingerprint}}; a {@link CliException} when there is no such issue. */
  JsonObject issue(String fingerprint, Map<String, String> params);

  /** {@code POST /api/v1/issues/{fingerprint}/{action}} (resolve, mute, reopen): {"issue": {...}}. */
  JsonObject issueStatus(String fingerprint, String action);

  /** {@code POST /api/v1/events} with one event: {"ids": [...], "stored": n, "ignored": m}. */
  JsonObject ingestEvent(JsonObject event);

  /** Where the answers come from, for messages: "Spark at http://…" or "the database file …". */
  String where();

  @Override
  void close();

  /**
   * A running Spark when {@code GET /health} answers, else the database file. Unless
   * {@code mayCreate}, a missing file is an error rather than an empty database.
   */
  static SparkAccess open(Settings settings, boolean mayCreate) {
    HttpAccess http = HttpAccess.probe(settings);
    if (http != null) return http;
    if (!mayCreate && !Files.exists(settings.dbPath)) {
      String spark = settings.cfg.web().enabled()
          ? "No Spark is running at " + settings.baseUrl()
          : "Spark's HTTP server is off (web.enabled is false)";
      throw new CliException(spark + " and there is no database at " + settings.db()
          + " (start Spark with bin/spark start, or point --conf / SPARK_DB_PATH at the right file)");
    }
    return new LocalAccess(settings);
  }
}
