package dev.spark.support;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocks the test thread (never an event loop) on a future, with a deadline. */
public final class Await {
  private Await() {}

  public static <T> T result(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Timed out after 30 s waiting for a result", e);
    }
  }

  public static Throwable failure(Future<?> future) {
    try {
      future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Timed out after 30 s waiting for a failure", e);
    } catch (Throwable expected) {
      return expected;
    }
    throw new AssertionError("Expected a failure, got success");
  }
}
