package dev.spark.issues;

import dev.spark.event.EventRow;
import dev.spark.event.IssueSummary;
import dev.spark.event.ValidationException;
import dev.spark.ingest.IngestValidator;
import dev.spark.ingest.Redactor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FingerprinterTest {

  static String javaStack(String exception, String message, String... frames) {
    StringBuilder s = new StringBuilder(exception + ": " + message);
    for (String f : frames) s.append("\n\tat ").append(f);
    return s.toString();
  }

  static String fp(String type, String message, String stack) {
    JsonObject error = new JsonObject().put("message", message);
    if (stack != null) error.put("stack", stack);
    return Fingerprinter.of(type, error, null, null, null, null).fingerprint();
  }

  @Test
  void variablePartsOfTheMessageAreReplaced() {
    assertEquals("User <n> not found (order <uuid>, mail <email>) at <url> from <ip> on <date> <time>: <str> <hex> <hex> <ip>",
        Fingerprinter.normaliseMessage("User 4711 not found (order 0c4f6f0e-6d1f-4c41-9d4e-7a2bbd1b8e55, mail ada@example.com) "
            + "at https://shop.example.com/api/users/4711?x=1 from 10.0.0.12:5432 on 2026-11-24T10:00:00.123Z 10:30:01: "
            + "\"no such table: users\" 0x7ffde1 5f2a9c3e1b7d fe80::1:2"));
    assertEquals("can't parse <str> in <str>", Fingerprinter.normaliseMessage("can't parse 'abc' in `x`"));
    assertEquals("took <n> ms, retry <n>/<n>", Fingerprinter.normaliseMessage("took  12.5 ms,\n retry 3/5 "));
    assertEquals("user<n> deadbeef", Fingerprinter.normaliseMessage("user42 deadbeef"), "a word of hex letters alone stays");
  }

  @Test
  void messagesThatDifferOnlyInIdsAndNumbersShareAFingerprint() {
    String stack = javaStack("java.lang.IllegalStateException", "x", "dev.shop.Orders.load(Orders.java:40)");
    String a = fp("server-error", "Order 17 for user 0c4f6f0e-6d1f-4c41-9d4e-7a2bbd1b8e55 failed after 120 ms", stack);
    String b = fp("server-error", "Order 9912 for user 7d1e0a52-3b44-4f0a-8a55-1c9f3e2b6d10 failed after 3 ms", stack);
    assertEquals(a, b);
    assertEquals(16, a.length());
    assertNotEquals(a, fp("unhandled-error", "Order 17 for user 0c4f6f0e-6d1f-4c41-9d4e-7a2bbd1b8e55 failed after 120 ms", stack),
        "the type takes part");
    assertNotEquals(a, fp("server-error", "Order 17 was cancelled", stack), "so do the message's words");
  }

  @Test
  void javaFramesCountWithoutLineNumbersAndSkipJdkVertxNetty() {
    String[] framework = {
        "io.vertx.core.impl.ContextImpl.emit(ContextImpl.java:342)",
        "io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:444)",
        "java.base/java.lang.Thread.run(Thread.java:840)"};
    String one = fp("server-error", "boom", javaStack("java.lang.IllegalStateException", "boom",
        "java.base/java.util.Objects.requireNonNull(Objects.java:233)",
        "dev.shop.Users.create(Users.java:41)",
        "dev.shop.Routes.lambda$signUp$3(Routes.java:88)",
        framework[0], framework[1], framework[2]));
    String otherLines = fp("server-error", "boom", javaStack("java.lang.IllegalStateException", "boom",
        "dev.shop.Users.create(Users.java:97)",
        framework[0],
        "dev.shop.Routes.lambda$signUp$7(Routes.java:90)",
        framework[2]));
    assertEquals(one, otherLines, "same methods, other lines (and lambda numbers, and framework frames between): one issue");

    String otherPlace = fp("server-error", "boom", javaStack("java.lang.IllegalStateException", "boom",
        "dev.shop.Orders.create(Orders.java:41)",
        "dev.shop.Routes.lambda$signUp$3(Routes.java:88)"));
    assertNotEquals(one, otherPlace, "the same message thrown from another method: another issue");
    assertNotEquals(one, fp("server-error", "boom", javaStack("java.lang.IllegalArgumentException", "boom",
        "dev.shop.Users.create(Users.java:41)", "dev.shop.Routes.lambda$signUp$3(Routes.java:88)")), "the exception class takes part");
  }

  @Test
  void nodeFramesCountAsFileAndFunctionWithoutLineOrColumn() {
    String a = fp("server-error", "Cannot read properties of undefined (reading 'id')", String.join("\n",
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "    at UserService.create (/app/src/users/service.ts:41:30)",
        "    at async createUser (/app/src/users/routes.ts:27:18)",
        "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
        "    at node:internal/process/task_queues:95:5"));
    String b = fp("server-error", "Cannot read properties of undefined (reading 'email')", String.join("\n",
        "TypeError: Cannot read properties of undefined (reading 'email')",
        "    at UserService.create (file:///srv/releases/20261124/src/users/service.ts:44:12)",
        "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
        "    at createUser (/srv/releases/20261124/src/users/routes.ts:27:9)"));
    assertEquals(a, b);
    String c = fp("server-error", "Cannot read properties of undefined (reading 'id')", String.join("\n",
        "TypeError: Cannot read properties of undefined (reading 'id')",
        "    at OrderService.create (/app/src/orders/service.ts:41:30)",
        "    at async createOrder (/app/src/orders/routes.ts:27:18)"));
    assertNotEquals(a, c);
  }

  @Test
  void framesOfEachFormat() {
    List<String> out = new ArrayList<>();
    assertTrue(StackFrames.collect(String.join("\n",
        "Error: Connection refused",
        "    at db.ts:12",
        "    at /app/src/jobs/worker.js:3:9",
        "insert@https://cdn.example.com/assets/app.3f2a1b.js:120:7",
        "  File \"/app/api/views.py\", line 12, in handler"), out));
    assertEquals(List.of("(db.ts)", "(jobs/worker.js)", "insert (assets/app.#f#a#b.js)"), out);

    out.clear();
    assertTrue(StackFrames.collect("Traceback (most recent call last):\n  File \"/app/api/views.py\", line 12, in handler\n"
        + "  File \"/usr/lib/python3/site-packages/django/core.py\", line 3, in run", out));
    assertEquals(List.of("handler (api/views.py)"), out);

    out.clear();
    assertTrue(StackFrames.collect("java.lang.RuntimeException: x\n\tat app//dev.shop.Foo$$Lambda$123/0x0000000800c0a8.apply(Unknown Source)\n"
        + "\tat dev.shop.Foo.run(Foo.java:3) ~[shop.jar:1.0]\nCaused by: java.io.IOException\n\t... 4 more", out));
    assertEquals(List.of("dev.shop.Foo.apply", "dev.shop.Foo.run"), out);

    out.clear();
    assertFalse(StackFrames.collect("java.lang.NullPointerException\n\tat java.base/java.util.Objects.requireNonNull(Objects.java:209)\n"
        + "\tat io.vertx.core.impl.future.FutureImpl.onComplete(FutureImpl.java:1)", out), "no application frame");
    assertEquals(List.of("java.util.Objects.requireNonNull", "io.vertx.core.impl.future.FutureImpl.onComplete"), out,
        "then the top frames stand in");
  }

  @Test
  void theExceptionClass() {
    assertEquals("TypeError", Fingerprinter.errorClass(null, "TypeError: x is not a function\n    at f (a.js:1:1)"));
    assertEquals("java.lang.NullPointerException", Fingerprinter.errorClass(null, "java.lang.NullPointerException\n\tat a.B.c(B.java:1)"));
    assertEquals("KeyError", Fingerprinter.errorClass(new JsonObject().put("type", "KeyError"), "whatever"));
    assertNull(Fingerprinter.errorClass(null, "    at f (a.js:1:1)"));
    assertNull(Fingerprinter.errorClass(null, "Connection refused by peer"));
  }

  @Test
  void withoutAStackTheRouteStandsInForTheCodeLocation() {
    JsonObject error = new JsonObject().put("message", "Connection refused");
    String users = Fingerprinter.of("server-error", error, "POST /api/users/17", null, null, null).fingerprint();
    assertEquals(users, Fingerprinter.of("server-error", error, "POST /api/users/18", null, null, null).fingerprint());
    assertNotEquals(users, Fingerprinter.of("server-error", error, "POST /api/orders", null, null, null).fingerprint());
  }

  @Test
  void aClientFingerprintWinsAndTheSummaryIsKept() {
    JsonObject error = new JsonObject().put("message", "Order 17 failed")
        .put("stack", javaStack("java.lang.IllegalStateException", "Order 17 failed", "dev.shop.Orders.load(Orders.java:40)"));
    Fingerprinter.Result r = Fingerprinter.of("server-error", error, null, null, null, "checkout-timeout");
    assertEquals("checkout-timeout", r.fingerprint());
    assertEquals(new IssueSummary("java.lang.IllegalStateException", "Order 17 failed", "dev.shop.Orders.load"), r.summary());
  }

  @Test
  void theValidatorFingerprintsAndChecksAClientFingerprint() {
    IngestValidator v = new IngestValidator("test", new Redactor(List.of("password")));
    EventRow row = v.event(new JsonObject().put("type", "server-error").put("error", new JsonObject().put("message", "id 5 gone")), "");
    assertEquals(fp("server-error", "id 6 gone", null), row.fingerprint());
    EventRow chosen = v.event(new JsonObject().put("type", "server-error").put("fingerprint", " mine ")
        .put("error", new JsonObject().put("message", "x")), "");
    assertEquals("mine", chosen.fingerprint());
    assertTrue(new JsonObject(chosen.data()).containsKey("fingerprint"));
    ValidationException bad = org.junit.jupiter.api.Assertions.assertThrows(ValidationException.class, () ->
        v.event(new JsonObject().put("type", "server-error").put("fingerprint", 12).put("error", new JsonObject().put("message", "x")), "[2]."));
    assertEquals("[2].fingerprint", bad.field());
  }
}
