package dev.spark.bench;

import dev.spark.ingest.IngestValidator;
import dev.spark.ingest.Redactor;
import dev.spark.issues.Fingerprinter;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * What fingerprinting costs per event, without JMH: each case runs in a loop on pre-built events
 * (a pool, so messages and ids vary as in a flood), warm-up first, then several timed rounds; the
 * median round's nanoseconds per event is reported with the spread. Cases: a 40-frame Java stack
 * with the application frames on top (the usual case) and under 37 framework frames (the longest
 * walk), a 40-frame Node stack, and the whole ingest validation (parse checks, redaction, capping)
 * of the same event with and without a fingerprint, to put the figure in proportion.
 *
 * <pre>bin/bench-fingerprint [--seconds=S] [--rounds=N]</pre>
 */
public final class FingerprintBenchmark {
  private static final int POOL = 1_024;
  private static volatile long sink;

  public static void main(String[] args) {
    double seconds = 2;
    int rounds = 10;
    for (String a : args) {
      if (a.startsWith("--seconds=")) seconds = Double.parseDouble(a.substring(10));
      else if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
      else {
        System.out.println("Usage: bin/bench-fingerprint [--seconds=2] [--rounds=10]   (seconds per round, rounds per case)");
        System.exit(a.equals("--help") ? 0 : 2);
      }
    }
    JsonObject[] javaTop = pool(i -> javaEvent(i, 3));
    JsonObject[] javaDeep = pool(i -> javaEvent(i, 37));
    JsonObject[] node = pool(FingerprintBenchmark::nodeEvent);
    JsonObject[] clientFp = pool(i -> javaEvent(i, 3).put("fingerprint", "checkout-timeout"));
    JsonObject[] ingestBench = pool(Payloads::errorEvent);
    IngestValidator validator = new IngestValidator("bench", new Redactor(List.of("password", "token", "secret")));

    System.out.printf(Locale.ROOT, "Fingerprinting cost per event (%s, %d rounds of %.1f s per case, after %.1f s warm-up)%n",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), rounds, seconds, seconds * 2);
    System.out.printf(Locale.ROOT, "stack lines: java %d, node %d; message %d chars%n%n",
        stackLines(javaTop[0]), stackLines(node[0]), javaTop[0].getJsonObject("error").getString("message").length());
    System.out.printf(Locale.ROOT, "%-58s %10s %10s %10s%n", "case", "median ns", "min ns", "max ns");
    run("Fingerprinter.of, Java 40 frames, app frames on top", javaTop, e -> fingerprint(e), seconds, rounds);
    run("Fingerprinter.of, Java 40 frames, app frames under 37", javaDeep, e -> fingerprint(e), seconds, rounds);
    run("Fingerprinter.of, Node 40 frames", node, e -> fingerprint(e), seconds, rounds);
    run("normaliseMessage only", javaTop, e -> Fingerprinter.normaliseMessage(e.getJsonObject("error").getString("message")).length(),
        seconds, rounds);
    run("Fingerprinter.of, bin/bench (d) event (8-line Node stack)", ingestBench, e -> fingerprint(e), seconds, rounds);
    run("IngestValidator.event, bin/bench (d) event", ingestBench, e -> validator.event(e, "").data().length(), seconds, rounds);
    run("IngestValidator.event, Java 40 frames (fingerprinted)", javaTop, e -> validator.event(e, "").data().length(), seconds, rounds);
    run("IngestValidator.event, client fingerprint (no hashing)", clientFp, e -> validator.event(e, "").data().length(), seconds, rounds);
    System.out.println("\nsink " + (sink & 1));
  }

  interface Work {
    long run(JsonObject event);
  }

  private static long fingerprint(JsonObject e) {
    JsonObject error = e.getJsonObject("error");
    return Fingerprinter.of("server-error", error, e.getString("route"), null, null, null).fingerprint().hashCode();
  }

  private static void run(String name, JsonObject[] pool, Work work, double seconds, int rounds) {
    loop(pool, work, (long) (seconds * 2e9)); // warm-up
    double[] ns = new double[rounds];
    for (int r = 0; r < rounds; r++) ns[r] = loop(pool, work, (long) (seconds * 1e9));
    Arrays.sort(ns);
    System.out.printf(Locale.ROOT, "%-58s %10.0f %10.0f %10.0f%n", name, ns[rounds / 2], ns[0], ns[rounds - 1]);
  }

  /** Runs for about {@code nanos}; answers nanoseconds per event. */
  private static double loop(JsonObject[] pool, Work work, long nanos) {
    long acc = 0;
    long n = 0;
    long start = System.nanoTime();
    long end = start + nanos;
    long now;
    do {
      for (int i = 0; i < 256; i++) acc += work.run(pool[(int) (n++ & (POOL - 1))]);
      now = System.nanoTime();
    } while (now < end);
    sink += acc;
    return (double) (now - start) / n;
  }

  interface Maker {
    JsonObject make(int i);
  }

  private static JsonObject[] pool(Maker maker) {
    JsonObject[] out = new JsonObject[POOL];
    for (int i = 0; i < POOL; i++) out[i] = maker.make(i);
    return out;
  }

  private static int stackLines(JsonObject e) {
    return e.getJsonObject("error").getString("stack").split("\n").length - 1;
  }

  static String message(int i) {
    return "Order " + (10_000 + i) + " for user " + UUID.nameUUIDFromBytes(new byte[] {(byte) i, (byte) (i >> 8)})
        + " (ada" + i + "@example.com) failed after " + (i % 500) + " ms at 2026-11-24T10:" + (10 + i % 50) + ":00Z";
  }

  /** 40 frames: {@code appAt} framework frames, then 3 application frames, then framework frames to 40. */
  static JsonObject javaEvent(int i, int appAt) {
    List<String> lines = new ArrayList<>();
    lines.add("java.lang.IllegalStateException: " + message(i));
    String[] framework = {
        "io.vertx.core.impl.ContextImpl.emit(ContextImpl.java:342)",
        "io.vertx.core.impl.future.FutureImpl$4.onSuccess(FutureImpl.java:176)",
        "io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:444)",
        "io.netty.handler.codec.ByteToMessageDecoder.channelRead(ByteToMessageDecoder.java:289)",
        "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
        "java.base/java.lang.Thread.run(Thread.java:840)"};
    int f = 0;
    for (int k = 0; k < appAt; k++) lines.add("\tat " + framework[f++ % framework.length]);
    lines.add("\tat dev.shop.orders.OrderRepository.load(OrderRepository.java:" + (40 + i % 5) + ")");
    lines.add("\tat dev.shop.orders.OrderService.lambda$checkout$" + (i % 3) + "(OrderService.java:57)");
    lines.add("\tat dev.shop.web.Routes.checkout(Routes.java:120)");
    while (lines.size() < 41) lines.add("\tat " + framework[f++ % framework.length]);
    return event(i, String.join("\n", lines));
  }

  static JsonObject nodeEvent(int i) {
    List<String> lines = new ArrayList<>();
    lines.add("TypeError: " + message(i));
    lines.add("    at OrderRepository.load (/app/src/orders/repository.ts:" + (40 + i % 5) + ":17)");
    lines.add("    at async OrderService.checkout (/app/src/orders/service.ts:57:9)");
    lines.add("    at async checkout (/app/src/web/routes.ts:120:5)");
    while (lines.size() < 41) {
      lines.add(lines.size() % 2 == 0
          ? "    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)"
          : "    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)");
    }
    return event(i, String.join("\n", lines));
  }

  private static JsonObject event(int i, String stack) {
    return new JsonObject().put("type", "server-error").put("route", "POST /api/orders/" + i).put("status", 500)
        .put("feature", "checkout")
        .put("request", new JsonObject().put("input", new JsonObject().put("orderId", i).put("password", "x")))
        .put("error", new JsonObject().put("message", message(i)).put("stack", stack));
  }
}
