package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.spark.ingest.Redactor.REDACTED;
import static org.junit.jupiter.api.Assertions.*;

class RedactorTest {

  private final Redactor redactor = new Redactor(Redactor.DEFAULT_PATTERNS);

  @Test
  void caseAndSeparatorVariantsAreSensitive() {
    for (String key : List.of("API_KEY", "apiKey", "x-api-key", "X-Api-Key", "Authorization", "refresh_token",
      "client_secret", "creditCardNumber", "credit_card_number", "card-number", "Set-Cookie", "PASSWD",
      "userPassword", "access.token")) {
      assertTrue(redactor.isSensitive(key), key);
    }
  }

  @Test
  void ordinaryKeysAreNotSensitive() {
    for (String key : List.of("type", "message", "name", "author", "key", "api", "card", "url", "stack", "user_id")) {
      assertFalse(redactor.isSensitive(key), key);
    }
    assertFalse(redactor.isSensitive(null));
  }

  @Test
  void redactsAtDepthFive() {
    JsonObject in = new JsonObject().put("a", new JsonObject().put("b", new JsonObject().put("c",
      new JsonObject().put("d", new JsonObject().put("e",
        new JsonObject().put("password", "hunter2").put("note", "keep me"))))));
    JsonObject leaf = redactor.redact(in).getJsonObject("a").getJsonObject("b").getJsonObject("c")
      .getJsonObject("d").getJsonObject("e");
    assertEquals(REDACTED, leaf.getValue("password"));
    assertEquals("keep me", leaf.getString("note"));
  }

  @Test
  void redactsObjectsInsideArrays() {
    JsonObject in = new JsonObject()
      .put("users", new JsonArray()
        .add(new JsonObject().put("name", "ann").put("token", "t1"))
        .add(new JsonObject().put("name", "bob").put("apiKey", "k2")))
      .put("matrix", new JsonArray().add(new JsonArray().add(new JsonObject().put("client_secret", 1).put("n", 2))));
    JsonObject out = redactor.redact(in);
    JsonArray users = out.getJsonArray("users");
    assertEquals(new JsonObject().put("name", "ann").put("token", REDACTED), users.getJsonObject(0));
    assertEquals(new JsonObject().put("name", "bob").put("apiKey", REDACTED), users.getJsonObject(1));
    assertEquals(new JsonObject().put("client_secret", REDACTED).put("n", 2),
      out.getJsonArray("matrix").getJsonArray(0).getJsonObject(0));
  }

  @Test
  void valuesOfAnyTypeAreReplacedButNullStaysNull() {
    JsonObject in = new JsonObject()
      .put("secret", new JsonObject().put("inner", "x"))
      .put("tokens", new JsonArray().add("a").add("b"))
      .put("password", 1234)
      .put("cookie", true)
      .put("authorization", (Object) null);
    JsonObject out = redactor.redact(in);
    assertEquals(REDACTED, out.getValue("secret"));
    assertEquals(REDACTED, out.getValue("tokens"));
    assertEquals(REDACTED, out.getValue("password"));
    assertEquals(REDACTED, out.getValue("cookie"));
    assertTrue(out.containsKey("authorization"));
    assertNull(out.getValue("authorization"));
  }

  @Test
  void nonSensitiveDataIsUntouched() {
    JsonObject in = new JsonObject()
      .put("type", "error")
      .put("message", "token expired") // sensitive words in values do not matter
      .put("count", 3)
      .put("ratio", 0.5)
      .put("ok", false)
      .put("nothing", (Object) null)
      .put("tags", new JsonArray().add("a").add(1).add(new JsonObject().put("k", "v")));
    assertEquals(in, redactor.redact(in));
  }

  @Test
  void inputIsNotMutatedAndOutputIsACopy() {
    JsonObject nested = new JsonObject().put("password", "p").put("list", new JsonArray().add(new JsonObject().put("x", 1)));
    JsonObject in = new JsonObject().put("nested", nested).put("Authorization", "Bearer abc");
    JsonObject before = in.copy();

    JsonObject out = redactor.redact(in);
    assertEquals(before, in);
    assertEquals("p", nested.getString("password"));

    out.getJsonObject("nested").getJsonArray("list").getJsonObject(0).put("x", 99);
    out.getJsonObject("nested").put("added", true);
    assertEquals(before, in);
  }

  @Test
  void rawMapsAndListsAreHandled() {
    Map<String, Object> inner = new HashMap<>();
    inner.put("sessionToken", "abc");
    inner.put("id", 7);
    Map<String, Object> raw = new HashMap<>();
    raw.put("items", new java.util.ArrayList<>(List.of(inner)));
    raw.put("creditCard", "4111");

    JsonObject viaJson = redactor.redact(new JsonObject(raw));
    assertEquals(REDACTED, viaJson.getValue("creditCard"));
    assertEquals(REDACTED, viaJson.getJsonArray("items").getJsonObject(0).getValue("sessionToken"));
    assertEquals(7, viaJson.getJsonArray("items").getJsonObject(0).getInteger("id"));
    assertEquals("abc", inner.get("sessionToken"));

    Object out = redactor.redactValue(List.of(Map.of("Set-Cookie", "c=1", "path", "/")));
    assertEquals(List.of(Map.of("Set-Cookie", REDACTED, "path", "/")), out);
    assertEquals("plain", redactor.redactValue("plain"));
    assertEquals(5, redactor.redactValue(5));
    assertNull(redactor.redactValue(null));
  }

  @Test
  void customPatternsReplaceDefaults() {
    Redactor custom = new Redactor(List.of("ssn", "Internal-Id"));
    assertTrue(custom.isSensitive("user_SSN"));
    assertTrue(custom.isSensitive("internalId"));
    assertFalse(custom.isSensitive("password"));
    JsonObject out = custom.redact(new JsonObject().put("ssn", "123").put("password", "p"));
    assertEquals(REDACTED, out.getValue("ssn"));
    assertEquals("p", out.getValue("password"));
  }

  @Test
  void patternWithoutLettersIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Redactor(List.of("token", "--")));
  }
}
