package dev.spark.client;

import dev.spark.event.EventType;
import dev.spark.event.UuidV7;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports errors nothing else handled as {@code unhandled-error} events, each with a fresh trace id:
 * {@code UnhandledErrors.install(vertx, client)} installs {@link Vertx#exceptionHandler(Handler)}
 * (exceptions thrown on Vert.x contexts that have no handler of their own) and the JVM's default
 * uncaught-exception handler (threads that die of an exception).
 *
 * <p>The handlers that were installed before are chained: they are still called, after the report,
 * with every error. With none before, the default behaviour is kept (Vert.x logs "Unhandled
 * exception", the JVM prints the thread's stack trace to stderr).
 *
 * <p>No loops: an error raised while an error is being reported (on the same thread, or anywhere
 * inside Spark's client code) is passed on to the previous handlers but never reported itself; an
 * exception thrown by the reporting path is caught and counted in {@link #suppressed()}.
 */
public final class UnhandledErrors {
  private static final Logger LOG = Logger.getLogger(UnhandledErrors.class.getName());
  /** The logger Vert.x itself uses when a context has no exception handler. */
  private static final Logger VERTX_LOG = Logger.getLogger("io.vertx.core.impl.ContextImpl");
  private static final ThreadLocal<Boolean> REPORTING = new ThreadLocal<>();
  /** Classes on the reporting path: an error thrown from one of them is never reported. */
  private static final Set<String> REPORTING_CLASSES = Set.of(
      UnhandledErrors.class.getName(), SparkClient.class.getName(), SparkWeb.class.getName(),
      AccessBatcher.class.getName(), Throwables.class.getName(), SparkSubscription.class.getName());
  private static final int MAX_CAUSES = 16;

  private final Vertx vertx;
  private final Consumer<JsonObject> sink;
  private final Handler<Throwable> previousVertx;
  private final Thread.UncaughtExceptionHandler previousThread;
  private final Handler<Throwable> vertxHandler = this::onVertx;
  private final Thread.UncaughtExceptionHandler threadHandler = this::onThread;
  private final LongAdder reported = new LongAdder();
  private final LongAdder suppressed = new LongAdder();

  private UnhandledErrors(Vertx vertx, Consumer<JsonObject> sink) {
    this.vertx = vertx;
    this.sink = sink;
    this.previousVertx = vertx.exceptionHandler();
    this.previousThread = Thread.getDefaultUncaughtExceptionHandler();
    vertx.exceptionHandler(vertxHandler);
    Thread.setDefaultUncaughtExceptionHandler(threadHandler);
  }

  /** Installs both handlers; events go to Spark through {@code client} (fire-and-forget). */
  public static UnhandledErrors install(Vertx vertx, SparkClient client) {
    Objects.requireNonNull(client, "client");
    return install(vertx, client::sendEvent);
  }

  /** The same with any sink for the event JSON (tests use it to make the reporting path fail). */
  static UnhandledErrors install(Vertx vertx, Consumer<JsonObject> sink) {
    return new UnhandledErrors(Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(sink, "sink"));
  }

  /** Errors handed to Spark so far. */
  public long reported() {
    return reported.sum();
  }

  /** Errors not reported because they were raised while reporting, or because reporting them failed. */
  public long suppressed() {
    return suppressed.sum();
  }

  /** Puts back the handlers that were there before, where ours are still the installed ones. */
  public void uninstall() {
    if (vertx.exceptionHandler() == vertxHandler) vertx.exceptionHandler(previousVertx);
    if (Thread.getDefaultUncaughtExceptionHandler() == threadHandler) Thread.setDefaultUncaughtExceptionHandler(previousThread);
  }

  private void onVertx(Throwable error) {
    report(error, "vertx", Thread.currentThread());
    if (previousVertx != null) {
      previousVertx.handle(error);
    } else {
      VERTX_LOG.log(Level.SEVERE, "Unhandled exception", error);
    }
  }

  private void onThread(Thread thread, Throwable error) {
    report(error, "thread", thread);
    if (previousThread != null) {
      previousThread.uncaughtException(thread, error);
    } else {
      // What ThreadGroup.uncaughtException prints (calling it would come back here).
      System.err.print("Exception in thread \"" + thread.getName() + "\" ");
      error.printStackTrace(System.err);
    }
  }

  private void report(Throwable error, String source, Thread thread) {
    if (Boolean.TRUE.equals(REPORTING.get()) || raisedByReporting(error)) {
      suppressed.increment();
      return;
    }
    REPORTING.set(Boolean.TRUE);
    try {
      JsonObject event = new JsonObject()
          .put("type", EventType.UNHANDLED_ERROR.wire())
          .put("traceId", UuidV7.next())
          .put("error", new JsonObject()
              .put("message", Throwables.message(error))
              .put("type", error.getClass().getName())
              .put("stack", Throwables.stackTrace(error)))
          .put("source", source)
          .put("thread", thread == null ? null : thread.getName());
      // Counted before the hand-over, so whoever sees the event also sees the count.
      reported.increment();
      try {
        sink.accept(event);
      } catch (Throwable handOverFailed) {
        reported.decrement();
        throw handOverFailed;
      }
    } catch (Throwable reportingFailed) {
      suppressed.increment();
      try {
        LOG.warning("Could not report an unhandled error to Spark (it is not reported again): " + reportingFailed);
      } catch (Throwable ignored) {
        // even describing it failed; nothing more to do
      }
    } finally {
      REPORTING.remove();
    }
  }

  /** True when the error, or one of its causes, was thrown from Spark's reporting code. */
  private static boolean raisedByReporting(Throwable error) {
    try {
      Throwable t = error;
      for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
        for (StackTraceElement frame : t.getStackTrace()) {
          String cls = frame.getClassName();
          int inner = cls.indexOf('$');
          if (REPORTING_CLASSES.contains(inner < 0 ? cls : cls.substring(0, inner))) return true;
        }
      }
      return false;
    } catch (Throwable cannotTell) {
      return true; // an error whose stack cannot even be read: do not try to report it
    }
  }
}
