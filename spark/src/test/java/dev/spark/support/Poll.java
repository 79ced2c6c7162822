package dev.spark.support;

import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a condition that can only be observed from outside (a file's size, a row count in
 * another process's database, a status field), checking every few milliseconds until a deadline.
 * For what a test can be told about (a future, a line of output), wait on that instead.
 */
public final class Poll {
  private Poll() {}

  /** Returns the first non-null, non-false value {@code check} gives; fails after {@code timeoutMs}. */
  public static <T> T until(String what, long timeoutMs, Callable<T> check) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    Throwable last = null;
    while (true) {
      try {
        T value = check.call();
        if (value != null && !Boolean.FALSE.equals(value)) return value;
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out after " + timeoutMs + " ms waiting for " + what
            + (last == null ? "" : " (last error: " + last + ")"), last);
      }
      LockSupport.parkNanos(2_000_000);
    }
  }
}
