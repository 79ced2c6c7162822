package dev.spark.client;

import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.Collected;
import dev.spark.support.EventWatch;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class UnhandledErrorsTest {
  private Thread.UncaughtExceptionHandler original;
  private final Collected<Throwable> previousVertx = new Collected<>();
  private final Collected<Throwable> previousThread = new Collected<>();
  private final Thread.UncaughtExceptionHandler previousThreadHandler = (t, e) -> previousThread.handle(e);

  @BeforeEach
  void previousHandlers(Vertx vertx) {
    original = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler(previousThreadHandler);
    vertx.exceptionHandler(previousVertx);
  }

  @AfterEach
  void restore() {
    Thread.setDefaultUncaughtExceptionHandler(original);
  }

  @Test
  void exceptionsOutsideAnyRequestBecomeUnhandledErrorsAndThePreviousHandlersStillRun(Vertx vertx, @TempDir Path dir) {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, null);
    SparkClient client = SparkClient.create(vertx);
    EventWatch watch = Await.result(EventWatch.start(client));
    UnhandledErrors errors = UnhandledErrors.install(vertx, client);

    vertx.setTimer(1, id -> {
      throw new IllegalStateException("the nightly job blew up");
    });
    Thread doomed = new Thread(() -> {
      throw new IllegalArgumentException("a worker thread died");
    }, "doomed-worker");
    doomed.start();

    StoredEvent onLoop = Await.result(watch.await(e -> e.row().data().contains("the nightly job blew up")));
    StoredEvent onThread = Await.result(watch.await(e -> e.row().data().contains("a worker thread died")));
    for (StoredEvent e : List.of(onLoop, onThread)) {
      assertEquals("unhandled-error", e.row().type());
      assertTrue(e.row().traceId().matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"), "a fresh UUIDv7");
      assertTrue(new JsonObject(e.row().data()).getJsonObject("error").getString("stack").contains("UnhandledErrorsTest"));
    }
    assertTrue(!onLoop.row().traceId().equals(onThread.row().traceId()));
    JsonObject loopData = new JsonObject(onLoop.row().data());
    assertEquals("vertx", loopData.getString("source"));
    assertEquals(IllegalStateException.class.getName(), loopData.getJsonObject("error").getString("type"));
    JsonObject threadData = new JsonObject(onThread.row().data());
    assertEquals("thread", threadData.getString("source"));
    assertEquals("doomed-worker", threadData.getString("thread"));

    // chained: the handlers that were there before got the same errors
    assertEquals("the nightly job blew up", Await.result(previousVertx.awaitCount(1)).get(0).getMessage());
    assertEquals("a worker thread died", Await.result(previousThread.awaitCount(1)).get(0).getMessage());
    assertEquals(2, errors.reported());
    assertEquals(0, errors.suppressed());
    assertEquals(2, spark.count("SELECT count(*) FROM events WHERE type = 'unhandled-error'"));

    errors.uninstall();
    assertSame(previousVertx, vertx.exceptionHandler());
    assertSame(previousThreadHandler, Thread.getDefaultUncaughtExceptionHandler());
  }

  @Test
  void anErrorRaisedWhileReportingIsNeverReportedAgain(Vertx vertx) {
    Collected<JsonObject> reported = new Collected<>();
    AtomicInteger sinkCalls = new AtomicInteger();
    // The reporting path itself fails the first time: it raises errors through both handlers (as a
    // broken event bus or codec might), then throws. The nested errors are made up front, so their
    // stacks do not show the reporting code: only the same-thread guard can tell.
    IllegalStateException nestedThread = new IllegalStateException("raised while reporting (thread)");
    IllegalStateException nestedVertx = new IllegalStateException("raised while reporting (vertx)");
    Consumer<JsonObject> sink = event -> {
      if (sinkCalls.incrementAndGet() == 1) {
        Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), nestedThread);
        vertx.exceptionHandler().handle(nestedVertx);
        throw new IllegalStateException("the reporting path broke");
      }
      reported.handle(event);
    };
    UnhandledErrors errors = UnhandledErrors.install(vertx, sink);
    try {
      vertx.runOnContext(v -> {
        throw new IllegalStateException("original");
      });
      // The previous Vert.x handler sees the nested error, then the original one.
      List<Throwable> seen = Await.result(previousVertx.awaitCount(2));
      assertEquals("raised while reporting (vertx)", seen.get(0).getMessage());
      assertEquals("original", seen.get(1).getMessage());
      assertEquals("raised while reporting (thread)", Await.result(previousThread.awaitCount(1)).get(0).getMessage());
      assertEquals(1, sinkCalls.get(), "nothing raised while reporting was reported");
      assertEquals(0, errors.reported());
      assertEquals(3, errors.suppressed(), "two nested errors and the failed report");

      // An error raised inside Spark's client code (e.g. asynchronously, in a reply handler) is not reported either.
      IllegalStateException fromClient = new IllegalStateException("thrown by the client");
      fromClient.setStackTrace(new StackTraceElement[] {
          new StackTraceElement(SparkClient.class.getName(), "lambda$send$0", "SparkClient.java", 120)});
      vertx.runOnContext(v -> {
        throw fromClient;
      });
      assertSame(fromClient, Await.result(previousVertx.awaitCount(3)).get(2));
      assertEquals(4, errors.suppressed());

      // A throwable whose own getMessage() throws cannot be described: dropped, no loop.
      RuntimeException unprintable = new RuntimeException() {
        @Override
        public String getMessage() {
          throw new IllegalStateException("getMessage is broken too");
        }
      };
      Thread.getDefaultUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), unprintable);
      assertEquals(5, errors.suppressed());
      assertSame(unprintable, Await.result(previousThread.awaitCount(2)).get(1));

      // Reporting works again afterwards.
      vertx.runOnContext(v -> {
        throw new IllegalStateException("later, ordinary");
      });
      JsonObject event = Await.result(reported.awaitCount(1)).get(0);
      assertEquals("later, ordinary", event.getJsonObject("error").getString("message"));
      // counted just after the sink took it, on the thread that raised it
      dev.spark.support.Poll.until("the report to be counted", 10_000, () -> errors.reported() == 1);
      assertEquals(1, errors.reported());
      assertEquals(2, sinkCalls.get());
    } finally {
      errors.uninstall();
    }
  }
}
