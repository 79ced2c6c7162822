package dev.spark.config;

/** A configuration value Spark cannot start with. The message is one line naming the key. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String allowed, Object got) {
    super("Invalid configuration: " + key + " must be " + allowed + " (got " + describe(got) + ")", null, false, false);
  }

  private static String describe(Object got) {
    if (got == null) return "nothing";
    if (got instanceof String s) return "\"" + s + "\"";
    return String.valueOf(got);
  }
}
