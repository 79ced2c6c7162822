package dev.spark.support;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Collects what a handler is given (from any thread) and lets a test wait, without sleeping, for
 * the first item that matches or for the n-th item.
 */
public final class Collected<T> implements Handler<T> {
  private final List<T> items = new ArrayList<>();
  private final List<Waiter<T>> waiters = new ArrayList<>();

  private record Waiter<T>(Predicate<T> match, int count, Promise<Object> promise) {}

  @Override
  public synchronized void handle(T item) {
    items.add(item);
    waiters.removeIf(w -> {
      if (w.match() != null) {
        if (!w.match().test(item)) return false;
        w.promise().complete(item);
      } else {
        if (items.size() < w.count()) return false;
        w.promise().complete(List.copyOf(items));
      }
      return true;
    });
  }

  /** The first item, collected so far or later, that matches. */
  @SuppressWarnings("unchecked")
  public synchronized Future<T> await(Predicate<T> match) {
    for (T item : items) if (match.test(item)) return Future.succeededFuture(item);
    Promise<Object> p = Promise.promise();
    waiters.add(new Waiter<>(match, 0, p));
    return p.future().map(o -> (T) o);
  }

  /** Everything collected, once there are at least {@code count} items. */
  @SuppressWarnings("unchecked")
  public synchronized Future<List<T>> awaitCount(int count) {
    if (items.size() >= count) return Future.succeededFuture(List.copyOf(items));
    Promise<Object> p = Promise.promise();
    waiters.add(new Waiter<>(null, count, p));
    return p.future().map(o -> (List<T>) o);
  }

  public synchronized List<T> all() {
    return List.copyOf(items);
  }

  public synchronized int size() {
    return items.size();
  }
}
