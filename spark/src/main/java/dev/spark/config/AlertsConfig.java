package dev.spark.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.Collections;

/**
 * The {@code alerts} section: rules that say which happenings are told to whom, the targets they go
 * to, and how deliveries are retried. Read from the same merged configuration as {@link SparkConfig},
 * with the process environment for {@code ${NAME}} references; {@link #fromJson} throws
 * {@link ConfigException} naming the first bad key.
 *
 * @param publicUrl    the dashboard's address as people reach it, for links in alerts; empty: web.host and web.port
 * @param maxAttempts  attempts per delivery before it is dropped with its last error
 * @param retryDelayMs the first retry's delay; each further one doubles it, up to ten minutes
 * @param timeoutMs    how long one attempt (connect, send, answer) may take
 * @param healthCheckMs how often Spark's own health is checked for {@code spark-health} rules
 */
public record AlertsConfig(List<Rule> rules, Map<String, AlertTarget> targets, String publicUrl, int maxAttempts,
    long retryDelayMs, long timeoutMs, long healthCheckMs) {

  public static final Set<String> KINDS = Set.of("new-issue", "regression", "frequency", "agent-fix", "spark-health");

  /**
   * One rule. Empty filter sets match everything. {@code thresholdEvents} in {@code thresholdMinutes}
   * applies to {@code frequency}; {@code cooldownMinutes}: after the rule alerted about an issue, it
   * stays quiet about that issue for this long.
   */
  public record Rule(String name, Set<String> on, Set<String> types, Set<String> environments, Set<String> features,
      int thresholdEvents, int thresholdMinutes, long cooldownMinutes, List<String> to) {

    /** True when an event with these columns passes the rule's filters (null columns match only empty filters). */
    public boolean matches(String type, String environment, String feature) {
      return (types.isEmpty() || types.contains(type))
          && (environments.isEmpty() || environments.contains(environment))
          && (features.isEmpty() || features.contains(feature));
    }

    public JsonObject toJson() {
      JsonObject out = new JsonObject().put("name", name).put("on", new JsonArray(List.copyOf(on)))
          .put("types", new JsonArray(List.copyOf(types))).put("environments", new JsonArray(List.copyOf(environments)))
          .put("features", new JsonArray(List.copyOf(features))).put("cooldownMinutes", cooldownMinutes).put("to", new JsonArray(to));
      if (on.contains("frequency")) out.put("threshold", new JsonObject().put("events", thresholdEvents).put("minutes", thresholdMinutes));
      return out;
    }
  }

  public static AlertsConfig fromJson(JsonObject json, Map<String, String> env) {
    ConfigReader r = new ConfigReader(json);
    JsonObject targetsJson = r.object("alerts.targets");
    Map<String, AlertTarget> targets = new LinkedHashMap<>();
    for (String name : targetsJson.fieldNames()) targets.put(name, AlertTarget.fromJson(name, targetsJson.getValue(name), env));
    Object rulesValue = r.raw("alerts.rules");
    if (!(rulesValue instanceof JsonArray rulesJson)) throw new ConfigException("alerts.rules", "an array of rules", rulesValue);
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < rulesJson.size(); i++) {
      Rule rule = rule(i, rulesJson.getValue(i), targets);
      for (Rule other : rules) {
        if (other.name().equals(rule.name())) throw new ConfigException("alerts.rules[" + i + "].name", "unique", rule.name());
      }
      rules.add(rule);
    }
    String publicUrl = r.string("alerts.publicUrl", true);
    if (!publicUrl.isEmpty() && !AlertTarget.httpUrl(publicUrl)) {
      throw new ConfigException("alerts.publicUrl", "empty or an absolute http or https URL", publicUrl);
    }
    return new AlertsConfig(List.copyOf(rules), Map.copyOf(targets), publicUrl.replaceAll("/+$", ""),
        (int) r.integer("alerts.maxAttempts", 1, 1_000),
        r.integer("alerts.retryDelayMs", 10, 3_600_000),
        r.integer("alerts.timeoutMs", 100, 600_000),
        r.integer("alerts.healthCheckMs", 100, 600_000));
  }

  private static Rule rule(int i, Object node, Map<String, AlertTarget> targets) {
    String key = "alerts.rules[" + i + "]";
    if (!(node instanceof JsonObject o)) throw new ConfigException(key, "an object", node);
    Object nameValue = o.getValue("name", "rule-" + (i + 1));
    if (!(nameValue instanceof String name) || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(key + ".name", "named with letters, digits, '_', '.' or '-' (at most 64)", nameValue);
    }
    Set<String> on = names(o, key + ".on", false);
    for (String kind : on) if (!KINDS.contains(kind)) throw new ConfigException(key + ".on", "a list of " + String.join(", ", KINDS), kind);
    int events = 0;
    int minutes = 0;
    if (on.contains("frequency")) {
      Object t = o.getValue("threshold");
      if (!(t instanceof JsonObject th)) throw new ConfigException(key + ".threshold", "{\"events\": N, \"minutes\": M} with frequency", t);
      events = (int) count(th.getValue("events"), key + ".threshold.events", 1, 1_000_000);
      minutes = (int) count(th.getValue("minutes"), key + ".threshold.minutes", 1, 1_440);
    }
    Set<String> to = names(o, key + ".to", false);
    for (String target : to) {
      if (!targets.containsKey(target)) throw new ConfigException(key + ".to", "names of targets in alerts.targets", target);
    }
    return new Rule(name, on, names(o, key + ".types", true), names(o, key + ".environments", true),
        names(o, key + ".features", true), events, minutes,
        count(o.getValue("cooldownMinutes", 30), key + ".cooldownMinutes", 0, 43_200), List.copyOf(to));
  }

  private static Set<String> names(JsonObject o, String key, boolean optional) {
    Object v = o.getValue(key.substring(key.lastIndexOf('.') + 1));
    if (v == null && optional) return Set.of();
    if (v instanceof JsonArray arr && (optional || !arr.isEmpty())) {
      Set<String> out = new LinkedHashSet<>();
      for (Object item : arr) {
        if (!(item instanceof String s) || s.isBlank()) throw new ConfigException(key, "an array of non-empty strings", v);
        out.add(s);
      }
      return Collections.unmodifiableSet(out);
    }
    throw new ConfigException(key, optional ? "an array of strings" : "a non-empty array of strings", v);
  }

  private static long count(Object v, String key, long min, long max) {
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= min && n.longValue() <= max) {
      return n.longValue();
    }
    throw new ConfigException(key, "an integer from " + min + " to " + max, v);
  }

  public boolean enabled() {
    return !rules.isEmpty();
  }

  /** Rules, and targets masked: what {@code GET /api/v1/alerts} and the dashboard show. */
  public JsonObject toMaskedJson() {
    JsonArray r = new JsonArray();
    for (Rule rule : rules) r.add(rule.toJson());
    JsonArray t = new JsonArray();
    for (AlertTarget target : targets.values()) t.add(target.toMaskedJson());
    return new JsonObject().put("rules", r).put("targets", t).put("maxAttempts", maxAttempts);
  }
}
