package dev.spark.config;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spark's validated configuration. Built from an already merged JSON object (see {@link ConfigLoader});
 * {@link #fromJson} throws {@link ConfigException} naming the first bad key.
 */
public record SparkConfig(
    boolean enabled,
    String environment,
    Db db,
    Watch watch,
    Map<String, Profile> environments,
    Web web,
    Ingest ingest,
    Storage storage,
    Stream stream,
    Issues issues,
    JsonObject json) {

  public record Db(String path, long pollIntervalMs, String synchronous, Cleanup cleanup) {}

  public record Cleanup(long maxAgeDays, long maxSizeMB, long intervalMs) {}

  public record Watch(boolean serverErrors, boolean unhandledErrors, boolean processErrors, boolean rateLimits) {}

  public record Profile(String tools, String behavior, String delivery) {
    public Profile(String tools, String behavior) {
      this(tools, behavior, IN_PLACE);
    }

    public boolean branchDelivery() {
      return BRANCH.equals(delivery);
    }
  }

  public static final String IN_PLACE = "in-place";
  public static final String BRANCH = "branch";
  /** How fixes reach the code: the agent edits {@code agent.cwd}, or works in a git worktree on a branch of its own. */
  public static final Set<String> DELIVERIES = Set.of(IN_PLACE, BRANCH);

  /**
   * @param maxHeaderBytes      largest total size of a request's headers accepted; larger gets 431
   * @param maxInitialLineBytes longest request line (method, path and query) accepted; longer gets 414
   * @param idleTimeoutMs       a connection with no request in progress (waiting for one, or receiving
   *                            its head) is closed after this long; SSE streams and requests being
   *                            answered are not affected
   * @param allowedHosts        Host names (besides loopback names, IP literals and {@code host}) a
   *                            request may be addressed to; any other gets 421 (DNS rebinding)
   */
  public record Web(boolean enabled, String host, int port, String token, int instances,
      int maxHeaderBytes, int maxInitialLineBytes, long idleTimeoutMs, List<String> allowedHosts) {}

  /**
   * @param maxInFlightBytes request bodies the HTTP ingest routes read and process at once, in all (each
   *                         counted at its Content-Length, or maxBodyBytes without one); a request that
   *                         would go over is answered 503
   * @param allowedOrigins   browser origins (besides Spark's own) that may send state-changing requests;
   *                         any other {@code Origin} gets 403
   * @param bodyTimeoutMs    an ingest body with no bytes arriving for this long is answered 408
   */
  public record Ingest(String token, long maxBodyBytes, int instances, List<String> redactKeys, long maxInFlightBytes,
      List<String> allowedOrigins, long bodyTimeoutMs) {}

  public record Storage(int queueCapacity, long queueMaxBytes, int maxBatchRows) {}

  public record Stream(long heartbeatMs, int batchLimit) {}

  /**
   * Flood control in delivery: after an issue is delivered, its further occurrences are stored and
   * counted but not delivered again until {@code cooldownMs} has passed. {@code floodControl: false}
   * delivers every event on its own, as before issues existed.
   */
  public record Issues(long cooldownMs, boolean floodControl) {}

  public static final Set<String> TOOLS = Set.of("full", "read-only");
  public static final Set<String> BEHAVIORS = Set.of("fix", "investigate");
  public static final Set<String> SYNCHRONOUS = Set.of("OFF", "NORMAL", "FULL", "EXTRA");

  public static SparkConfig fromJson(JsonObject json) {
    ConfigReader r = new ConfigReader(json);
    Db db = new Db(
        r.string("db.path", false),
        r.integer("db.pollIntervalMs", 10, 3_600_000),
        r.oneOf("db.synchronous", SYNCHRONOUS),
        new Cleanup(
            r.integer("db.cleanup.maxAgeDays", 0, 36_500),
            r.integer("db.cleanup.maxSizeMB", 1, 1_048_576),
            r.integer("db.cleanup.intervalMs", 1_000, 86_400_000L * 7)));
    Watch watch = new Watch(
        r.bool("watch.serverErrors"),
        r.bool("watch.unhandledErrors"),
        r.bool("watch.processErrors"),
        r.bool("watch.rateLimits"));
    Map<String, Profile> profiles = new LinkedHashMap<>();
    for (String env : r.object("environments").fieldNames()) {
      profiles.put(env, new Profile(
          r.oneOf("environments." + env + ".tools", TOOLS),
          r.oneOf("environments." + env + ".behavior", BEHAVIORS),
          // An environment block of the user's own may leave it out: production works on branches, the rest in place.
          r.raw("environments." + env + ".delivery") == null ? ("production".equals(env) ? BRANCH : IN_PLACE)
              : r.oneOf("environments." + env + ".delivery", DELIVERIES)));
    }
    Web web = new Web(
        r.bool("web.enabled"),
        r.string("web.host", false),
        (int) r.integer("web.port", 0, 65_535),
        r.string("web.token", true),
        (int) r.integer("web.instances", 1, 64),
        (int) r.integer("web.maxHeaderBytes", 1_024, 1_048_576),
        (int) r.integer("web.maxInitialLineBytes", 256, 1_048_576),
        r.integer("web.idleTimeoutMs", 100, 3_600_000),
        r.hostNames("web.allowedHosts"));
    List<String> redactKeys = r.strings("ingest.redactKeys");
    for (String k : redactKeys) {
      if (k.replaceAll("[^A-Za-z0-9]", "").isEmpty()) {
        throw new ConfigException("ingest.redactKeys", "an array of key patterns with letters or digits", k);
      }
    }
    Ingest ingest = new Ingest(
        r.string("ingest.token", true),
        r.integer("ingest.maxBodyBytes", 1_024, 1L << 30),
        (int) r.integer("ingest.instances", 1, 64),
        redactKeys,
        r.integer("ingest.maxInFlightBytes", 65_536, 1L << 34),
        r.origins("ingest.allowedOrigins"),
        r.integer("ingest.bodyTimeoutMs", 100, 3_600_000));
    Storage storage = new Storage(
        (int) r.integer("storage.queueCapacity", 1, 10_000_000),
        r.integer("storage.queueMaxBytes", 65_536, 1L << 34),
        (int) r.integer("storage.maxBatchRows", 1, 1_000_000));
    Stream stream = new Stream(
        r.integer("stream.heartbeatMs", 100, 3_600_000),
        (int) r.integer("stream.batchLimit", 1, 100_000));
    Issues issues = new Issues(
        r.integer("issues.cooldownMs", 0, 30L * 86_400_000),
        r.bool("issues.floodControl"));
    return new SparkConfig(
        r.bool("enabled"),
        r.string("environment", false),
        db, watch, Map.copyOf(profiles), web, ingest, storage, stream, issues, json);
  }

  /** The profile for the current environment; environments without their own block act as development. */
  public Profile profile() {
    return environments.getOrDefault(environment, environments.getOrDefault("development", new Profile("full", "fix")));
  }
}
