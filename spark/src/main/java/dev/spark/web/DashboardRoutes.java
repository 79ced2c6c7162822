package dev.spark.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The dashboard's pages and its login. {@code GET /} is the dashboard for a logged-in browser and a
 * redirect to {@code /login} otherwise; {@code POST /auth} takes the form field {@code token}
 * (compared by {@link TokenAuth}, throttled by {@link LoginThrottle}) and sets the session cookie;
 * {@code POST /logout} ends the session. Scripts, styles and images come from
 * {@code webroot/assets} on the classpath: no inline script or style, and every page carries a
 * Content-Security-Policy that allows only this origin.
 */
public final class DashboardRoutes {
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
      + "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  private static final String MESSAGE_SLOT = "<!-- message -->";

  private DashboardRoutes() {}

  public static Router router(Vertx vertx, TokenAuth auth, Sessions sessions, LoginThrottle throttle) {
    String app = resource("/webroot/index.html");
    String login = resource("/webroot/login.html");
    if (!login.contains(MESSAGE_SLOT)) throw new IllegalStateException("webroot/login.html has no " + MESSAGE_SLOT);

    Router router = Router.router(vertx);
    router.get("/").handler(DashboardRoutes::securityHeaders).handler(ctx -> {
      if (sessions.valid(ctx.request()) == null) redirect(ctx, "/login");
      else html(ctx, 200, app);
    });
    router.get("/login").handler(DashboardRoutes::securityHeaders).handler(ctx -> {
      if (sessions.valid(ctx.request()) != null) redirect(ctx, "/");
      else html(ctx, 200, login.replace(MESSAGE_SLOT, ""));
    });
    router.post("/auth").handler(BodyLimit.of(8_192, "the login form's limit")).handler(DashboardRoutes::securityHeaders)
        .handler(ctx -> login(ctx, auth, sessions, throttle, login));
    router.post("/logout").handler(auth).handler(ctx -> {
      sessions.invalidate(sessions.valid(ctx.request()));
      ctx.response().addCookie(Sessions.cleared(ctx.request()));
      redirect(ctx, "/login");
    });
    router.route("/assets/*").handler(DashboardRoutes::securityHeaders)
        .handler(StaticHandler.create("webroot/assets").setCachingEnabled(false).setDirectoryListing(false).setIncludeHidden(false));
    router.get("/favicon.ico").handler(ctx -> redirect(ctx, "/assets/favicon.svg"));
    return router;
  }

  private static void login(RoutingContext ctx, TokenAuth auth, Sessions sessions, LoginThrottle throttle, String page) {
    HttpServerRequest req = ctx.request();
    if (req.getHeader("Origin") != null && !TokenAuth.sameOrigin(req)) {
      html(ctx, 403, page.replace(MESSAGE_SLOT, message("This login form was sent from another site.")));
      return;
    }
    String token = req.getFormAttribute("token");
    String ip = req.remoteAddress() == null ? "unknown" : req.remoteAddress().host();
    LoginThrottle.Outcome outcome = throttle.attempt(ip, () -> auth.matches(token == null ? "" : token.trim()));
    if (outcome.throttled()) {
      ctx.response().putHeader("Retry-After", String.valueOf(outcome.retryAfterSeconds()));
      html(ctx, 429, page.replace(MESSAGE_SLOT, message("Too many failed logins from your address. Try again in "
          + outcome.retryAfterSeconds() + " seconds.")));
      return;
    }
    if (!outcome.success()) {
      html(ctx, 401, page.replace(MESSAGE_SLOT, message("That token is not right.")));
      return;
    }
    ctx.response().addCookie(Sessions.cookie(sessions.create(), req));
    redirect(ctx, "/");
  }

  /** Only Spark's own fixed sentences (and numbers) go here, never request data. */
  private static String message(String text) {
    return "<p class=\"notice error\" id=\"login-message\" role=\"alert\">" + text + "</p>";
  }

  static void securityHeaders(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "same-origin")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin");
    ctx.next();
  }

  private static void html(RoutingContext ctx, int status, String body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(body);
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).putHeader("Cache-Control", "no-store").end();
  }

  private static String resource(String name) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException(name + " is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
