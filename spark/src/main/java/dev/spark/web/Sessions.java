package dev.spark.web;

import dev.spark.config.RandomTokens;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.shareddata.LocalMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dashboard login sessions: random ids handed out as an {@code HttpOnly}, {@code SameSite=Strict}
 * cookie ({@code Secure} unless the dashboard is reached on a loopback address), kept in memory in a
 * Vert.x local map, so every web verticle instance of this process sees the same sessions. The map
 * is named after a hash of the web token: a different token (a restart with a new random one, or a
 * second Spark in the same Vert.x) means different sessions. A session ends on logout, after
 * {@link #IDLE_MS} without a request, or when the process stops.
 */
public final class Sessions {
  public static final String COOKIE = "spark_session";
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.[0-9]{1,3}){3}");
  public static final long IDLE_MS = 12 * 60 * 60 * 1000L;
  private static final long TOUCH_EVERY_MS = 60_000;
  private static final int SWEEP_ABOVE = 1_000;

  private final LocalMap<String, Long> lastSeen;

  public Sessions(Vertx vertx, String token) {
    this.lastSeen = vertx.sharedData().getLocalMap("spark.web.sessions." + fingerprint(token));
  }

  /** A new session; returns its id (the cookie value). */
  public String create() {
    long now = System.currentTimeMillis();
    if (lastSeen.size() > SWEEP_ABOVE) {
      for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
        if (now - e.getValue() > IDLE_MS) lastSeen.remove(e.getKey());
      }
    }
    String id = RandomTokens.token(32);
    lastSeen.put(id, now);
    return id;
  }

  /** The id of the live session this request's cookie names, or null. Keeps the session alive. */
  public String valid(HttpServerRequest request) {
    Cookie cookie = request.getCookie(COOKIE);
    if (cookie == null || cookie.getValue() == null || cookie.getValue().isEmpty()) return null;
    String id = cookie.getValue();
    Long seen = lastSeen.get(id);
    if (seen == null) return null;
    long now = System.currentTimeMillis();
    if (now - seen > IDLE_MS) {
      lastSeen.remove(id);
      return null;
    }
    if (now - seen > TOUCH_EVERY_MS) lastSeen.put(id, now);
    return id;
  }

  public void invalidate(String id) {
    if (id != null) lastSeen.remove(id);
  }

  public int size() {
    return lastSeen.size();
  }

  /** The session cookie for {@code id}: a browser-session cookie (no Max-Age), HttpOnly, SameSite=Strict. */
  public static Cookie cookie(String id, HttpServerRequest request) {
    return Cookie.cookie(COOKIE, id).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(secure(request));
  }

  /** A cookie that makes the browser forget the session. */
  public static Cookie cleared(HttpServerRequest request) {
    return cookie("", request).setMaxAge(0);
  }

  /**
   * {@code Secure} unless the browser reaches Spark on a loopback name (localhost, 127.0.0.0/8, ::1)
   * over plain HTTP: anywhere else the cookie must only travel over HTTPS (put a TLS proxy in front).
   */
  static boolean secure(HttpServerRequest request) {
    if (request.isSSL()) return true;
    HostAndPort authority = request.authority();
    return authority == null || !isLoopback(authority.host());
  }

  static boolean isLoopback(String host) {
    if (host == null) return false;
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    // 127.0.0.0/8 as an IPv4 literal only: a name such as 127.evil.example is anybody's
    // 127.0.0.1 first: the Host of nearly every request, answered without a regex.
    return h.equals("127.0.0.1") || h.equals("localhost") || h.endsWith(".localhost") || LOOPBACK_V4.matcher(h).matches() || h.equals("::1");
  }

  private static String fingerprint(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(String.valueOf(token).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
