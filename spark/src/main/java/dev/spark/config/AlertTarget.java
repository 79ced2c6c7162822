package dev.spark.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code alerts.targets}: where alerts go. {@code webhook} and {@code slack} POST to
 * {@code url} ({@code secret} signs webhook bodies); {@code email} speaks SMTP to {@code host:port}
 * ({@code security}: none, starttls or tls; {@code caFile}: a PEM file of the certificates to trust
 * instead of the JVM's trust store; {@code username}/{@code password} for AUTH) from {@code from} to
 * every address of {@code to}. String values may name environment variables as
 * {@code ${NAME}}; they are substituted here, once, and never shown (see {@link #toMaskedJson()}).
 */
public record AlertTarget(String name, String type, String url, String secret, String host, int port, String security,
    String caFile, String username, String password, String from, List<String> to) {

  public static final Set<String> TYPES = Set.of("webhook", "slack", "email");
  public static final Set<String> SECURITY = Set.of("none", "starttls", "tls");
  private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
  private static final Pattern MAILBOX = Pattern.compile("[^\\s<>@\",;]+@[^\\s<>@\",;]+");

  static AlertTarget fromJson(String name, Object node, Map<String, String> env) {
    String key = "alerts.targets." + name;
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")) {
      throw new ConfigException(key, "named with letters, digits, '_', '.' or '-' (at most 64)", name);
    }
    if (!(node instanceof JsonObject t)) throw new ConfigException(key, "an object", node);
    Object type = t.getValue("type");
    if (!(type instanceof String ty) || !TYPES.contains(ty)) throw new ConfigException(key + ".type", "one of webhook, slack, email", type);
    if (!ty.equals("email")) {
      String url = text(t, key, "url", env, true, true);
      if (!httpUrl(url)) throw new ConfigException(key + ".url", "an absolute http or https URL", masked(url));
      String secret = ty.equals("webhook") ? text(t, key, "secret", env, false, true) : "";
      return new AlertTarget(name, ty, url, secret, "", 0, "none", "", "", "", "", List.of());
    }
    String host = text(t, key, "host", env, true, false);
    Object portValue = t.getValue("port", 25);
    if (!(portValue instanceof Number p) || p.intValue() < 1 || p.intValue() > 65_535 || p.doubleValue() != p.intValue()) {
      throw new ConfigException(key + ".port", "an integer from 1 to 65535", portValue);
    }
    Object sec = t.getValue("security", "starttls");
    if (!(sec instanceof String s) || !SECURITY.contains(s)) throw new ConfigException(key + ".security", "one of none, starttls, tls", sec);
    String caFile = text(t, key, "caFile", env, false, false);
    if (!caFile.isEmpty()) {
      if (sec.equals("none")) throw new ConfigException(key + ".caFile", "left out with security: none (nothing is encrypted)", caFile);
      String problem = TrustedCertificates.problem(caFile);
      if (problem != null) throw new ConfigException(key + ".caFile", "a readable PEM file of certificates: " + problem, caFile);
    }
    String username = text(t, key, "username", env, false, true);
    String password = text(t, key, "password", env, false, true);
    if (username.isEmpty() != password.isEmpty()) {
      throw new ConfigException(key + (username.isEmpty() ? ".username" : ".password"), "set together with the "
          + (username.isEmpty() ? "password" : "username"), null);
    }
    String from = text(t, key, "from", env, true, false);
    if (!MAILBOX.matcher(from).matches()) throw new ConfigException(key + ".from", "an e-mail address", from);
    Object toValue = t.getValue("to");
    List<String> to = new ArrayList<>();
    if (toValue instanceof JsonArray list) for (Object o : list) if (o instanceof String addr && MAILBOX.matcher(addr).matches()) to.add(addr);
    if (!(toValue instanceof JsonArray arr) || arr.isEmpty() || to.size() != arr.size()) {
      throw new ConfigException(key + ".to", "a non-empty array of e-mail addresses", toValue);
    }
    return new AlertTarget(name, ty, "", "", host, ((Number) portValue).intValue(), (String) sec, caFile, username, password, from, List.copyOf(to));
  }

  /** A string field with {@code ${NAME}} references substituted; {@code secretive} values never appear in errors. */
  private static String text(JsonObject t, String key, String field, Map<String, String> env, boolean required, boolean secretive) {
    Object v = t.getValue(field, required ? null : "");
    if (!(v instanceof String s) || required && s.isBlank()) {
      throw new ConfigException(key + "." + field, required ? "a non-empty string" : "a string", secretive && v instanceof String ? "…" : v);
    }
    Matcher m = ENV_REF.matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      if (value == null) {
        throw new ConfigException(key + "." + field, "set: it names the environment variable " + m.group(1) + ", which is not set", null);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    String resolved = out.toString();
    if (required && resolved.isBlank()) throw new ConfigException(key + "." + field, "a non-empty string", null);
    return resolved;
  }

  static boolean httpUrl(String url) {
    try {
      URI u = new URI(url);
      return u.isAbsolute() && ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
          && u.getHost() != null && !u.getHost().isEmpty();
    } catch (Exception e) {
      return false;
    }
  }

  /** A URL with everything after its host (where tokens live) replaced by "…". */
  public static String masked(String url) {
    try {
      URI u = new URI(url);
      if (u.getHost() == null) return "…";
      String rest = (u.getRawPath() == null ? "" : u.getRawPath()) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + (rest.isEmpty() || rest.equals("/") ? rest : "/…");
    } catch (Exception e) {
      return "…";
    }
  }

  /** What the API and the dashboard show: no secret, no password, no URL path or query. */
  public JsonObject toMaskedJson() {
    JsonObject out = new JsonObject().put("name", name).put("type", type);
    if (type.equals("email")) {
      out.put("host", host).put("port", port).put("security", security);
      if (!caFile.isEmpty()) out.put("caFile", caFile);
      out.put("from", from).put("to", new JsonArray(to))
          .put("login", !username.isEmpty());
    } else {
      out.put("url", masked(url));
      if (type.equals("webhook")) out.put("signed", !secret.isEmpty());
    }
    return out;
  }

  @Override
  public String toString() {
    return "AlertTarget" + toMaskedJson().encode();
  }
}
