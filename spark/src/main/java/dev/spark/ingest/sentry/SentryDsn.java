package dev.spark.ingest.sentry;

import dev.spark.config.SparkConfig;

/**
 * The DSN a Sentry SDK is given to report to this Spark: {@code http://<key>@<host>:<port>/1}. The
 * key is {@code ingest.token} when one is set (it must then match), else any word ({@code spark}).
 */
public final class SentryDsn {
  /** The project number {@code spark init} and {@code spark status} suggest; any positive integer works. */
  public static final int PROJECT = 1;

  private SentryDsn() {}

  /** The DSN, or null when Spark serves no HTTP ({@code web.enabled} false). */
  public static String of(SparkConfig cfg) {
    if (!cfg.web().enabled()) return null;
    String token = cfg.ingest().token();
    String key = token == null || token.isEmpty() ? "spark" : token;
    String host = cfg.web().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isBlank()) host = "127.0.0.1";
    if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
    return "http://" + key + "@" + host + ":" + cfg.web().port() + "/" + PROJECT;
  }

  /** A caveat to print beside the DSN, or null: {@code @sentry/node} and the browser SDKs take only \w in a key. */
  public static String caveat(SparkConfig cfg) {
    String token = cfg.ingest().token();
    if (token != null && !token.isEmpty() && !token.matches("\\w+")) {
      return "ingest.token has characters other than letters, digits and _: the JavaScript SDKs reject such a DSN key";
    }
    return null;
  }
}
