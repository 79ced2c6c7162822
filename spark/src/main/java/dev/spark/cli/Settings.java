package dev.spark.cli;

import dev.spark.config.ConfigException;
import dev.spark.config.ConfigLoader;
import dev.spark.config.ServerUrl;
import dev.spark.config.SparkConfig;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration a CLI command works with, resolved exactly as the server resolves it
 * ({@link ConfigLoader}: embedded defaults, then the file, then {@code SPARK_*} variables), plus
 * the paths derived from it, made absolute against the CLI's working directory.
 */
final class Settings {
  static final String DEFAULT_CONF = "conf/spark.json";

  final CliContext ctx;
  /** The configuration file read, or null when there was none and the embedded defaults apply. */
  final Path confFile;
  final SparkConfig cfg;
  final Path dbPath;

  private Settings(CliContext ctx, Path confFile, SparkConfig cfg) {
    this.ctx = ctx;
    this.confFile = confFile;
    this.cfg = cfg;
    this.dbPath = ctx.resolve(cfg.db().path());
  }

  /** {@code --conf} when given (it must exist), else {@code conf/spark.json} when present, else the defaults. */
  static Settings load(CliContext ctx, String confOption) {
    Path file = confFile(ctx, confOption);
    if (confOption != null && !Files.isRegularFile(file)) {
      throw new CliException(CliException.USAGE, "--conf " + confOption + ": no such file");
    }
    JsonObject provided = Files.isRegularFile(file) ? read(ctx, file) : null;
    try {
      return new Settings(ctx, provided == null ? null : file, ConfigLoader.load(provided, ctx.env()));
    } catch (ConfigException e) {
      throw new CliException(e.getMessage() + (provided == null ? "" : " in " + ctx.show(file)));
    }
  }

  static Path confFile(CliContext ctx, String confOption) {
    return ctx.resolve(confOption == null ? DEFAULT_CONF : confOption);
  }

  static JsonObject read(CliContext ctx, Path file) {
    try {
      return new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw new CliException(ctx.show(file) + " is not a JSON object: " + firstLine(e.getMessage()));
    } catch (IOException e) {
      throw new CliException("Cannot read " + ctx.show(file) + ": " + e.getMessage());
    }
  }

  /** The resolved configuration for verticles deployed in the CLI's own Vert.x, with db.path made absolute. */
  JsonObject verticleConfig() {
    JsonObject json = cfg.json().copy();
    json.getJsonObject("db").put("path", dbPath.toString());
    return json;
  }

  /** Where a running Spark answers: web.host (a wildcard bind address means this machine) and web.port. */
  String baseUrl() {
    return ServerUrl.of(cfg.web());
  }

  /** Where {@code spark run} keeps its logs: {@code logs/} beside the database ({@code .spark/logs} by default). */
  Path logsDir() {
    Path parent = dbPath.getParent();
    return (parent == null ? ctx.cwd() : parent).resolve("logs");
  }

  String db() {
    return ctx.show(dbPath);
  }

  private static String firstLine(String message) {
    if (message == null) return "";
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
