package dev.spark.client;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the feature a request belongs to: the route's name when it has one, else its path template
 * ({@code /api/users/:id}, {@code /static/*}), including the mount point of a sub-router.
 *
 * <p>When the request succeeded, the route that wrote the response (the router's current route
 * when the headers went out) is exact. Vert.x Web forgets which route failed once it starts running
 * failure handlers, and a request that reached a sub-router only shows the mount route at the top
 * level; in those cases the router's routes are matched against the request (method and path) and
 * the most specific template wins: an exact template over a wildcard one, then more literal characters,
 * then the earlier route.
 */
final class RouteFeatures {
  private static final Pattern PARAM = Pattern.compile(":([A-Za-z][A-Za-z0-9_]*)");
  private static final int MAX_DEPTH = 8;

  private final Router router;
  private final Route own;
  private final Map<Route, Template> templates = new ConcurrentHashMap<>();

  RouteFeatures(Router router, Route own) {
    this.router = router;
    this.own = own;
  }

  /**
   * @param atHeaders the router's current route when the response headers were written (null if
   *                  they never were)
   * @param failed    whether the request went through failure handling
   */
  String feature(RoutingContext ctx, Route atHeaders, boolean failed) {
    boolean usable = atHeaders != null && atHeaders != own && atHeaders.getSubRouter() == null;
    if (usable && !failed) {
      String d = describe(atHeaders, "");
      if (d != null) return d;
    }
    String path = ctx.normalizedPath();
    if (path != null) {
      Match m = best(router, ctx.request().method(), path, "", 0);
      if (m != null) return m.feature;
    }
    return usable ? describe(atHeaders, "") : null;
  }

  /** The route's explicit name, else its path template under {@code mount}; null for path-less routes. */
  static String describe(Route r, String mount) {
    String name = r.getName();
    if (name == null) return null;
    String path = r.getPath();
    if (path != null && name.equals(path)) return mount + (r.isExactPath() ? path : path + "*");
    if (path == null && r.isRegexPath()) return name; // an unnamed regex route: its pattern
    return name;
  }

  private record Match(String feature, int score) {}

  private Match best(Router r, HttpMethod method, String path, String mount, int depth) {
    Match best = null;
    for (Route route : r.getRoutes()) {
      if (route == own) continue;
      Set<HttpMethod> methods = route.methods();
      if (methods != null && !methods.isEmpty() && !methods.contains(method)) continue;
      Template t = templates.computeIfAbsent(route, Template::of);
      if (t == Template.NONE) continue;
      Matcher m = t.pattern.matcher(path);
      if (!m.matches()) continue;
      Match candidate;
      Router sub = route.getSubRouter();
      if (sub != null) {
        if (depth >= MAX_DEPTH) continue;
        String rest = t.exact ? "/" : m.group("rest");
        if (rest == null || rest.isEmpty() || rest.charAt(0) != '/') rest = "/" + (rest == null ? "" : rest);
        String subMount = mount + t.mountPrefix;
        Match inner = best(sub, method, rest, subMount, depth + 1);
        if (inner == null) continue;
        candidate = new Match(inner.feature, inner.score + t.literals);
      } else {
        String feature = describe(route, mount);
        if (feature == null) continue;
        candidate = new Match(feature, (t.exact ? 1 << 20 : 0) + t.literals);
      }
      if (best == null || candidate.score > best.score) best = candidate;
    }
    return best;
  }

  /** A route's path as a regular expression over the (mount-relative) request path. */
  private static final class Template {
    static final Template NONE = new Template(null, false, 0, "");

    final Pattern pattern;
    final boolean exact;
    final int literals;
    /** For a sub-router mount: what to put in front of the sub-router's templates. */
    final String mountPrefix;

    private Template(Pattern pattern, boolean exact, int literals, String mountPrefix) {
      this.pattern = pattern;
      this.exact = exact;
      this.literals = literals;
      this.mountPrefix = mountPrefix;
    }

    static Template of(Route route) {
      String path = route.getPath();
      if (path == null) {
        if (!route.isRegexPath() || route.getName() == null) return NONE;
        try {
          // An unnamed regex route's name is its pattern; a named one's pattern is not exposed.
          Pattern p = Pattern.compile(route.getName());
          return new Template(Pattern.compile("(?:" + p.pattern() + ")(?<rest>)"), true, 0, "");
        } catch (RuntimeException e) {
          return NONE;
        }
      }
      boolean exact = route.isExactPath();
      StringBuilder re = new StringBuilder();
      Matcher m = PARAM.matcher(path);
      int at = 0;
      int literals = 0;
      while (m.find()) {
        re.append(Pattern.quote(path.substring(at, m.start()))).append("[^/]+");
        literals += m.start() - at;
        at = m.end();
      }
      String tail = path.substring(at);
      literals += tail.length();
      String prefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      if (exact) {
        re.append(Pattern.quote(tail));
        if (!path.endsWith("/")) re.append("/?");
        re.append("(?<rest>)");
      } else if (tail.endsWith("/")) {
        // "/static/*" also matches "/static"
        re.append(Pattern.quote(tail.substring(0, tail.length() - 1))).append("(?<rest>/.*)?");
      } else {
        re.append(Pattern.quote(tail)).append("(?<rest>.*)");
      }
      return new Template(Pattern.compile(re.toString()), exact, literals, prefix);
    }
  }
}
