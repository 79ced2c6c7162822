package dev.spark.web;

import dev.spark.config.SparkConfig;
import dev.spark.event.InputText;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The first handler of every Spark HTTP server (embedded and sidecar), for every route, so a route
 * added later gets it without asking. Spark's events reach an agent that can run commands, so a web
 * page the developer happens to visit must not be able to write into Spark:
 *
 * <ul>
 *   <li><b>Host</b>: a request addressed to a name that is not a loopback name ({@code localhost},
 *   {@code *.localhost}), an IP literal, the bind address ({@code web.host}) or in
 *   {@code web.allowedHosts} is answered 421: that is what DNS rebinding (a foreign name re-pointed
 *   at 127.0.0.1) looks like. A request without {@code Host} (HTTP/1.0) is not a browser's.</li>
 *   <li><b>Origin</b>: a state-changing request (any method but GET, HEAD and OPTIONS) whose
 *   {@code Origin} is not this server's own and not in {@code ingest.allowedOrigins} is answered
 *   403, as is one without {@code Origin} that a browser marks {@code Sec-Fetch-Site: cross-site} or
 *   {@code same-site}. Scripts and SDKs send no {@code Origin} and are not affected.</li>
 *   <li>A request line whose percent-encoding is broken or is not UTF-8: 400.</li>
 *   <li>{@code HEAD} is served as {@code GET} without the body (Vert.x leaves it out), except on the
 *   event stream, where a GET would connect as a consuming agent: 405 there.</li>
 * </ul>
 */
final class RequestGuard implements Handler<RoutingContext> {
  private static final String REROUTED = "spark.headAsGet";
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*");

  private final String bindHost;
  private final Set<String> allowedHosts;
  private final Set<String> allowedOrigins;

  RequestGuard(SparkConfig cfg) {
    this.bindHost = bare(cfg.web().host());
    this.allowedHosts = Set.copyOf(cfg.web().allowedHosts());
    this.allowedOrigins = Set.copyOf(cfg.ingest().allowedOrigins());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    HostAndPort authority = req.authority();
    if (authority != null && !hostAllowed(bare(authority.host()))) {
      ApiResponses.error(ctx, 421, "misdirected_request", "This Spark does not answer to the host " + InputText.echo(authority.host())
          + ": only loopback names, IP addresses, web.host and web.allowedHosts (a foreign name pointing at Spark is how DNS rebinding"
          + " reaches it); nothing was stored");
      return;
    }
    if (!TokenAuth.isSafe(req.method()) && !originAllowed(req)) {
      String origin = req.getHeader("Origin");
      ApiResponses.error(ctx, 403, "forbidden_origin", (origin == null ? "A cross-site browser request"
          : "The origin " + InputText.echo(origin)) + " may not change anything in Spark (only its own pages, and ingest.allowedOrigins);"
          + " nothing was stored");
      return;
    }
    String broken = InputText.brokenUri(req.uri());
    if (broken != null) {
      ApiResponses.error(ctx, 400, "invalid_input", "The request line " + broken);
      return;
    }
    if (req.method() == HttpMethod.HEAD && ctx.get(REROUTED) == null) {
      if (req.path().endsWith("/stream")) {
        ctx.response().putHeader("Allow", "GET");
        ApiResponses.error(ctx, 405, "method_not_allowed", "HEAD is not served on the event stream: a GET there connects as a subscriber");
        return;
      }
      ctx.put(REROUTED, true);
      ctx.reroute(HttpMethod.GET, req.uri());
      return;
    }
    ctx.next();
  }

  private boolean hostAllowed(String host) {
    return Sessions.isLoopback(host) || isIpLiteral(host) || host.equals(bindHost) || allowedHosts.contains(host);
  }

  private boolean originAllowed(HttpServerRequest req) {
    String origin = req.getHeader("Origin");
    if (origin == null) {
      String site = req.getHeader("Sec-Fetch-Site");
      return site == null || !List.of("cross-site", "same-site").contains(site.toLowerCase(Locale.ROOT));
    }
    return TokenAuth.sameOrigin(req) || allowedOrigins.contains(origin.toLowerCase(Locale.ROOT));
  }

  static boolean isIpLiteral(String host) {
    return IP_LITERAL.matcher(host).matches();
  }

  /** Lower-cased, without IPv6 brackets or a trailing dot. */
  private static String bare(String host) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.endsWith(".")) h = h.substring(0, h.length() - 1);
    return h;
  }
}
