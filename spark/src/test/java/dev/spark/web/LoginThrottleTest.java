package dev.spark.web;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The login throttle's sliding minute, on a clock the test moves. */
@ExtendWith(VertxExtension.class)
class LoginThrottleTest {

  @Test
  void fiveFailuresAMinuteThenRefusedUntilTheOldestIsAMinuteOld(Vertx vertx) {
    AtomicLong now = new AtomicLong(1_000_000);
    LoginThrottle throttle = new LoginThrottle(vertx, "t1", now::get);
    for (int i = 0; i < 5; i++) {
      LoginThrottle.Outcome o = throttle.attempt("10.0.0.1", () -> false);
      assertFalse(o.success());
      assertFalse(o.throttled(), "failure " + (i + 1) + " is answered normally");
      now.addAndGet(10_000);
    }
    // 50 s after the first failure: the sixth attempt is refused without checking the token.
    boolean[] checked = {false};
    LoginThrottle.Outcome sixth = throttle.attempt("10.0.0.1", () -> checked[0] = true);
    assertTrue(sixth.throttled());
    assertEquals(10, sixth.retryAfterSeconds(), "until the first failure is a minute old");
    assertFalse(checked[0], "the token is not even compared while locked out");
    assertFalse(throttle.attempt("10.0.0.2", () -> false).throttled(), "other addresses are not affected");

    now.addAndGet(10_000);
    LoginThrottle.Outcome later = throttle.attempt("10.0.0.1", () -> true);
    assertTrue(later.success(), "the oldest failure left the window: one more try, and it is right");
    for (int i = 0; i < 5; i++) assertFalse(throttle.attempt("10.0.0.1", () -> false).throttled(), "a success starts afresh");
    assertTrue(throttle.attempt("10.0.0.1", () -> true).throttled());
  }
}
