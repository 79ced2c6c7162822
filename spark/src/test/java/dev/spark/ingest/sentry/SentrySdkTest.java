package dev.spark.ingest.sentry;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.sentry.ILogger;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentry.SentryInstantDate;
import io.sentry.SentryLevel;
import io.sentry.SpanStatus;
import io.sentry.TransactionOptions;
import io.sentry.logback.SentryAppender;
import io.sentry.protocol.Request;
import io.sentry.protocol.Response;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official Java SDK ({@code io.sentry:sentry}) and its Logback appender against a real Spark,
 * configured only by the DSN: a captured exception, an uncaught one, an ERROR log line with an
 * exception, and an HTTP server transaction. The SDK's own log must show no failed request.
 */
@ExtendWith(VertxExtension.class)
class SentrySdkTest {
  private static final String KEY = "java-sdk-key";

  /** The SDK's diagnostic log, as it writes it. */
  static final class SdkLog implements ILogger {
    final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void log(SentryLevel level, String message, Object... args) {
      lines.add(level + " " + (args.length == 0 ? message : String.format(message, args)));
    }

    @Override
    public void log(SentryLevel level, String message, Throwable t) {
      lines.add(level + " " + message + " " + t);
    }

    @Override
    public void log(SentryLevel level, Throwable t, String message, Object... args) {
      lines.add(level + " " + String.format(message, args) + " " + t);
    }

    @Override
    public boolean isEnabled(SentryLevel level) {
      return true;
    }

    List<String> failures() {
      synchronized (lines) {
        return lines.stream().filter(l -> l.startsWith("ERROR") || l.startsWith("FATAL")
            || l.matches("(?is).*(request failed|could not be sent|failed to send|status code \\d).*")).toList();
      }
    }
  }

  @Test
  void javaSdkEventsUncaughtErrorsLogLinesAndTransactionsArrive(Vertx vertx, @TempDir Path dir) throws Exception {
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("ingest", new JsonObject().put("token", KEY)));
    SdkLog sdkLog = new SdkLog();
    Sentry.init(o -> {
      o.setDsn("http://" + KEY + "@127.0.0.1:" + spark.port + "/3");
      o.setRelease("shop@2.0.0");
      o.setEnvironment("staging");
      o.setTracesSampleRate(1.0);
      o.setDebug(true);
      o.setDiagnosticLevel(SentryLevel.DEBUG);
      o.setLogger(sdkLog);
      o.setEnableUncaughtExceptionHandler(true);
    });
    try {
      // 1. a handled exception, captured
      try {
        placeOrder(42);
      } catch (IllegalStateException e) {
        Sentry.captureException(e);
      }
      // 2. an uncaught one: the SDK's handler reports it (and flushes) before the thread dies
      Thread worker = new Thread(() -> chargeCard("4242"), "payment-worker");
      worker.start();
      worker.join(30_000);
      // 3. an ERROR log line with an exception, through sentry-logback (its own Logback context:
      //    the tests' logging stays on java.util.logging)
      LoggerContext logback = new LoggerContext();
      logback.setMDCAdapter(new LogbackMDCAdapter()); // set by Logback's SLF4J provider, which is not the one in use here
      SentryAppender appender = new SentryAppender();
      appender.setContext(logback);
      appender.start();
      Logger checkout = logback.getLogger("com.example.Checkout");
      checkout.addAppender(appender);
      checkout.error("Payment failed for order {}", 7, new IllegalArgumentException("card declined"));
      assertEquals(List.of(), logback.getStatusManager().getCopyOfStatusList().stream().filter(st -> st.getLevel() > 0).toList(),
          "Logback's own errors");
      // 4. an HTTP server transaction, 250 ms long, answered 404
      TransactionOptions options = new TransactionOptions();
      options.setBindToScope(true);
      options.setStartTimestamp(new SentryInstantDate(Instant.now().minusMillis(250)));
      ITransaction tx = Sentry.startTransaction("GET /orders/{id}", "http.server", options);
      Sentry.configureScope(scope -> {
        Request request = new Request();
        request.setMethod("GET");
        request.setUrl("http://shop.local/orders/42");
        scope.setRequest(request);
        Response response = new Response();
        response.setStatusCode(404);
        scope.getContexts().setResponse(response);
      });
      tx.finish(SpanStatus.NOT_FOUND);
      Sentry.flush(30_000);

      try {
        Poll.until("3 events and 1 access row", 30_000, () ->
            spark.count("SELECT count(*) FROM events") >= 3 && spark.count("SELECT count(*) FROM access_logs") >= 1);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; events " + spark.count("SELECT count(*) FROM events") + ", access rows "
            + spark.count("SELECT count(*) FROM access_logs") + "; the SDK's log:\n" + String.join("\n", sdkLog.lines), e);
      }
      List<String> rows = SentryHttp.column(spark.db,
          "SELECT json_object('type', type, 'environment', environment, 'data', json(data)) FROM events ORDER BY id");
      assertEquals(3, rows.size(), String.valueOf(rows));
      JsonObject captured = find(rows, "IllegalStateException: Order 42 could not be placed");
      assertEquals("server-error", captured.getString("type"));
      assertEquals("staging", captured.getString("environment"));
      JsonObject data = captured.getJsonObject("data");
      assertEquals("shop@2.0.0", data.getString("release"));
      assertEquals("sentry.java", data.getJsonObject("sdk").getString("name"));
      assertTrue(data.getString("eventId").matches("[0-9a-f]{32}"), data.encode());
      assertEquals(3, data.getJsonObject("sentry").getInteger("project"));
      String stack = data.getJsonObject("error").getString("stack");
      assertTrue(stack.startsWith("java.lang.IllegalStateException: Order 42 could not be placed\n\tat "
          + SentrySdkTest.class.getName() + ".placeOrder(SentrySdkTest.java:"), stack);
      assertTrue(stack.contains("Caused by: java.lang.ArithmeticException: stock below zero"), stack);

      JsonObject uncaught = find(rows, "IllegalArgumentException: card 4242 refused");
      assertEquals("unhandled-error", uncaught.getString("type"));
      assertTrue(uncaught.getJsonObject("data").getJsonObject("error").getString("stack").contains(".chargeCard("));

      JsonObject logged = find(rows, "IllegalArgumentException: card declined");
      assertEquals("Payment failed for order 7", logged.getJsonObject("data").getString("logMessage"));
      assertEquals("com.example.Checkout", logged.getJsonObject("data").getJsonObject("sentry").getString("logger"));

      List<String> access = SentryHttp.column(spark.db,
          "SELECT json_object('method', method, 'path', path, 'status', status, 'ms', duration_ms) FROM access_logs");
      JsonObject row = new JsonObject(access.get(0));
      assertEquals("GET", row.getString("method"));
      assertEquals("/orders/42", row.getString("path"));
      assertEquals(404, row.getInteger("status"));
      assertTrue(row.getLong("ms") >= 250 && row.getLong("ms") < 30_000, row.encode());

      assertEquals(List.of(), sdkLog.failures(), "the SDK logged a failed send");
      assertTrue(sdkLog.lines.stream().anyMatch(l -> l.contains("Envelope sent successfully")
          || l.contains("sent successfully")), "the SDK's log says it sent: " + sdkLog.lines);
    } finally {
      Sentry.close();
      spark.stop();
    }
  }

  private static JsonObject find(List<String> rows, String message) {
    for (String r : rows) {
      JsonObject row = new JsonObject(r);
      if (message.equals(row.getJsonObject("data").getJsonObject("error").getString("message"))) return row;
    }
    throw new AssertionError("no event with message \"" + message + "\" in " + rows);
  }

  private static void placeOrder(int id) {
    try {
      reserveStock(id);
    } catch (ArithmeticException e) {
      throw new IllegalStateException("Order " + id + " could not be placed", e);
    }
  }

  private static void reserveStock(int id) {
    throw new ArithmeticException("stock below zero");
  }

  private static void chargeCard(String card) {
    throw new IllegalArgumentException("card " + card + " refused");
  }
}
