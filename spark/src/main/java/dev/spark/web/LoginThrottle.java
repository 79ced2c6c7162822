package dev.spark.web;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * At most {@link #MAX_FAILURES} failed logins per client IP in any {@link #WINDOW_MS}; further
 * attempts (right token or not) are refused until the oldest failure leaves the window. Kept in a
 * Vert.x local map shared by the web verticle instances; each attempt is decided atomically.
 */
public final class LoginThrottle {
  public static final int MAX_FAILURES = 5;
  public static final long WINDOW_MS = 60_000;
  private static final int SWEEP_ABOVE = 1_000;

  /** {@code retryAfterSeconds} is set only when the attempt was refused without being checked. */
  public record Outcome(boolean success, long retryAfterSeconds) {
    public boolean throttled() {
      return retryAfterSeconds > 0;
    }
  }

  private final LocalMap<String, String> failures;
  private final LongSupplier clock;

  public LoginThrottle(Vertx vertx, String scope) {
    this(vertx, scope, System::currentTimeMillis);
  }

  LoginThrottle(Vertx vertx, String scope, LongSupplier clock) {
    this.failures = vertx.sharedData().getLocalMap("spark.web.login-failures." + scope);
    this.clock = clock;
  }

  /** Checks the token (through {@code check}) unless {@code ip} is locked out, and records a failure. */
  public Outcome attempt(String ip, BooleanSupplier check) {
    long now = clock.getAsLong();
    if (failures.size() > SWEEP_ABOVE) sweep(now);
    Outcome[] outcome = new Outcome[1];
    failures.compute(ip, (key, value) -> {
      List<Long> recent = recent(value, now);
      if (recent.size() >= MAX_FAILURES) {
        long retry = Math.max(1, (recent.get(0) + WINDOW_MS - now + 999) / 1000);
        outcome[0] = new Outcome(false, retry);
        return join(recent);
      }
      if (check.getAsBoolean()) {
        outcome[0] = new Outcome(true, 0);
        return null;
      }
      recent.add(now);
      outcome[0] = new Outcome(false, 0);
      return join(recent);
    });
    return outcome[0];
  }

  private void sweep(long now) {
    for (Map.Entry<String, String> e : failures.entrySet()) {
      if (recent(e.getValue(), now).isEmpty()) failures.remove(e.getKey());
    }
  }

  private static List<Long> recent(String value, long now) {
    List<Long> out = new ArrayList<>();
    if (value == null || value.isEmpty()) return out;
    for (String t : value.split(",")) {
      long at = Long.parseLong(t);
      if (now - at < WINDOW_MS) out.add(at);
    }
    return out;
  }

  private static String join(List<Long> times) {
    if (times.isEmpty()) return null;
    StringBuilder sb = new StringBuilder();
    for (Long t : times) {
      if (sb.length() > 0) sb.append(',');
      sb.append(t);
    }
    return sb.toString();
  }
}
