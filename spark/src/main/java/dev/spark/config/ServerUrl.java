package dev.spark.config;

/**
 * The URL of this Spark server, for whoever connects to it from this machine (the agent, the CLI,
 * the login link, the prompt): {@code web.host} and {@code web.port}, where a wildcard bind address
 * means this machine ({@code 0.0.0.0} -> {@code 127.0.0.1}, {@code ::} -> {@code [::1]}) and an IPv6
 * literal is bracketed.
 */
public final class ServerUrl {
  private ServerUrl() {
  }

  /** {@code http://host:port} of the server {@code web} configures. */
  public static String of(SparkConfig.Web web) {
    return of(web.host(), web.port());
  }

  /** {@code http://host:port} for a server bound on {@code bindHost}. */
  public static String of(String bindHost, int port) {
    return "http://" + host(bindHost) + ":" + port;
  }

  /** The host part of a URL that reaches a server bound on {@code bindHost}. */
  public static String host(String bindHost) {
    String host = bindHost.strip();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    if (host.isEmpty() || host.equals("0.0.0.0")) return "127.0.0.1";
    if (isUnspecifiedIpv6(host)) return "[::1]";
    return host.contains(":") ? "[" + host + "]" : host;
  }

  /** {@code ::} and its longer spellings ({@code 0:0:0:0:0:0:0:0}, {@code ::0}). */
  private static boolean isUnspecifiedIpv6(String host) {
    if (!host.contains(":")) return false;
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != ':' && c != '0') return false;
    }
    return true;
  }
}
