package dev.spark.alerts;

import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What people read: the chat body against the incoming-webhook shape, and an e-mail received by a
 * real SMTP server (Debian's python3-aiosmtpd, started here), both with a hostile error message.
 */
@ExtendWith(VertxExtension.class)
class AlertMessagesTest {
  static final String HOSTILE = "<@channel> <!here> @channel <script>alert(1)</script> [click me](http://evil.example/x) "
      + "<http://evil.example|Open> `code` &amp; \u001b[31mred\r\nBcc: victim@evil.example";

  static JsonObject config(JsonObject targets) {
    return new JsonObject().put("alerts", new JsonObject().put("targets", targets)
        .put("rules", new JsonArray().add(new JsonObject().put("on", new JsonArray().add("new-issue"))
            .put("to", new JsonArray(List.copyOf(targets.fieldNames())))))
        .put("publicUrl", "https://spark.example.test"));
  }

  static void post(SparkUnderTest spark, String message) {
    var r = spark.postNow("/api/v1/events", new JsonObject().put("type", "server-error")
        .put("error", new JsonObject().put("message", message)));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void chatBodyHasTheIncomingWebhookShapeAndTheHostileMessageIsInert(Vertx vertx, @TempDir Path dir) throws Exception {
    WebhookReceiver chat = WebhookReceiver.start(vertx, 0);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, config(new JsonObject().put("team-chat",
        new JsonObject().put("type", "slack").put("url", "http://127.0.0.1:" + chat.port + "/services/T000/B000/XXXX"))));
    post(spark, HOSTILE);
    WebhookReceiver.Received r = chat.nextOrFail(1_000);
    assertEquals("/services/T000/B000/XXXX", r.path());
    assertTrue(r.header("Content-Type").startsWith("application/json"));
    JsonObject body = r.json();
    checkIncomingWebhookShape(body);

    List<String> texts = new java.util.ArrayList<>();
    texts.add(body.getString("text"));
    collectTexts(body.getJsonArray("blocks"), texts);
    for (String t : texts) {
      for (String bad : List.of("<@channel>", "<!here>", "<script>", "<http://evil.example|Open>", "\u001b", "\r")) {
        assertFalse(t.contains(bad), "chat text holds " + bad + ": " + t);
      }
      // The only links are Spark's own, in Slack's <url|label> form.
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("<([^>]*)>").matcher(t);
      while (m.find()) assertTrue(m.group(1).startsWith("https://spark.example.test/#events/"), "a link that is not Spark's: " + m.group());
    }
    String text = body.getString("text");
    assertTrue(text.startsWith("New issue in `test`: `"), text);
    assertTrue(text.contains("&lt;@channel&gt; &lt;!here&gt; @channel &lt;script&gt;"), "escaped as Slack asks: " + text);
    assertTrue(text.contains("[click me](http://evil.example/x)"), "shown as text inside the code span: " + text);
    assertEquals(3, text.chars().filter(c -> c == '`').count() - 1, "the message's own backticks cannot end the code span: " + text);
    assertTrue(text.endsWith("<https://spark.example.test/#events/1|Open in Spark>"), text);
    spark.stop();
    chat.stop();
  }

  /** Slack's incoming-webhook payload: "text" and Block Kit "blocks" with the limits Slack enforces. */
  static void checkIncomingWebhookShape(JsonObject body) {
    assertEquals(Set.of("text", "blocks"), body.fieldNames());
    assertTrue(body.getValue("text") instanceof String s && !s.isBlank() && s.length() <= 40_000);
    JsonArray blocks = body.getJsonArray("blocks");
    assertTrue(blocks.size() >= 1 && blocks.size() <= 50);
    for (Object o : blocks) {
      JsonObject b = (JsonObject) o;
      switch (b.getString("type")) {
        case "section" -> {
          assertTrue(b.containsKey("text") || b.containsKey("fields"), b.encode());
          if (b.containsKey("text")) textObject(b.getJsonObject("text"), 3_000);
          if (b.containsKey("fields")) {
            assertTrue(b.getJsonArray("fields").size() <= 10);
            for (Object f : b.getJsonArray("fields")) textObject((JsonObject) f, 2_000);
          }
          assertTrue(Set.of("type", "text", "fields").containsAll(b.fieldNames()), b.encode());
        }
        case "context" -> {
          assertTrue(b.getJsonArray("elements").size() <= 10);
          for (Object e : b.getJsonArray("elements")) textObject((JsonObject) e, 3_000);
          assertEquals(Set.of("type", "elements"), b.fieldNames());
        }
        default -> throw new AssertionError("unexpected block type: " + b.encode());
      }
    }
  }

  static void textObject(JsonObject t, int max) {
    assertTrue(Set.of("mrkdwn", "plain_text").contains(t.getString("type")), t.encode());
    assertTrue(t.getString("text").length() >= 1 && t.getString("text").length() <= max, t.encode());
  }

  static void collectTexts(JsonArray blocks, List<String> out) {
    for (Object o : blocks) {
      JsonObject b = (JsonObject) o;
      if (b.containsKey("text")) out.add(b.getJsonObject("text").getString("text"));
      for (String key : List.of("fields", "elements")) {
        if (b.containsKey(key)) for (Object f : b.getJsonArray(key)) out.add(((JsonObject) f).getString("text"));
      }
    }
  }

  /** RFC 2047 B-encoded UTF-8 words back to text (the space between two encoded words is not part of the text). */
  static String decodeWords(String header) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("=\\?UTF-8\\?B\\?([^?]*)\\?=\\s*").matcher(header);
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (m.find()) {
      out.append(header, at, m.start()).append(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8));
      at = m.end();
    }
    return out.append(header.substring(at)).toString();
  }

  /** Starts smtp_sink.py (Debian's python3-aiosmtpd) with {@code args} (a login, TLS: see the script) and waits for its READY line. */
  static Process smtpSink(int port, Path mailbox, String... args) throws Exception {
    Path script = Path.of("src/test/resources/alerts/smtp_sink.py").toAbsolutePath();
    List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/python3", script.toString(), String.valueOf(port), mailbox.toString()));
    command.addAll(List.of(args));
    Process smtp = new ProcessBuilder(command).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(smtp.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder said = new StringBuilder();
    while ((line = out.readLine()) != null && !line.equals("READY")) said.append(line).append('\n');
    assertEquals("READY", line, "the SMTP server started: " + said);
    return smtp;
  }

  static void stop(Process smtp) throws Exception {
    smtp.getOutputStream().close();
    smtp.destroy();
    smtp.waitFor();
  }

  @Test
  void starttlsIsNeverSkippedWhenTheServerDoesNotOfferIt(Vertx vertx, @TempDir Path dir) throws Exception {
    int smtpPort = SparkUnderTest.freePort();
    Path mailbox = Files.createDirectories(dir.resolve("mailbox"));
    Process smtp = smtpSink(smtpPort, mailbox);
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, config(new JsonObject().put("mail", new JsonObject()
          .put("type", "email").put("host", "127.0.0.1").put("port", smtpPort)
          .put("from", "spark@example.test").put("to", new JsonArray().add("oncall@example.test")))));
      post(spark, "plain text over the wire would leak this");
      JsonObject d = AlertsDeliveryTest.awaitFinished(spark);
      assertEquals("dropped", d.getString("status"), "security defaults to starttls: required");
      assertEquals(1, d.getInteger("attempts"), "final at once: retrying would not make the server offer TLS");
      assertTrue(d.getString("lastError").startsWith("STARTTLS (required by security: starttls) answered 554"), d.encode());
      try (var files = Files.list(mailbox)) {
        assertEquals(0, files.count(), "nothing was sent in the clear");
      }
      spark.stop();
    } finally {
      stop(smtp);
    }
  }

  @Test
  void anEmailArrivesAtARealSmtpServerWithTitleAndLinkAfterLoggingIn(Vertx vertx, @TempDir Path dir) throws Exception {
    int smtpPort = SparkUnderTest.freePort();
    Path mailbox = Files.createDirectories(dir.resolve("mailbox"));
    Process smtp = smtpSink(smtpPort, mailbox, "alerts", "pa ss:wörd");
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, config(new JsonObject().put("oncall-mail", new JsonObject()
          .put("type", "email").put("host", "127.0.0.1").put("port", smtpPort).put("security", "none")
          .put("username", "alerts").put("password", "pa ss:wörd")
          .put("from", "spark@example.test").put("to", new JsonArray().add("oncall@example.test").add("lead@example.test")))));
      post(spark, HOSTILE);
      Path eml = mailbox.resolve("1.eml");
      Poll.until("the e-mail to arrive", 5_000, () -> Files.exists(eml));
      JsonObject envelope = new JsonObject(Files.readString(mailbox.resolve("1.json")));
      assertEquals("spark@example.test", envelope.getString("from"));
      assertEquals(new JsonArray().add("oncall@example.test").add("lead@example.test"), envelope.getJsonArray("to"));
      assertEquals("alerts", envelope.getString("login"), "logged in with AUTH");
      assertEquals(false, envelope.getBoolean("tls"), "security: none (the sink tells an encrypted session from this one)");

      String raw = Files.readString(eml, StandardCharsets.UTF_8);
      int split = raw.indexOf("\r\n\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String headerLine : raw.substring(0, split).split("\r\n")) {
        int colon = headerLine.indexOf(':');
        assertTrue(colon > 0, "a header line without a name (injected?): " + headerLine);
        assertTrue(headers.put(headerLine.substring(0, colon), headerLine.substring(colon + 1).strip()) == null, "header twice: " + headerLine);
      }
      assertFalse(headers.containsKey("Bcc"), "no header injected by the message: " + headers);
      String subject = decodeWords(headers.get("Subject"));
      assertTrue(subject.startsWith("[Spark] New issue: <@channel> <!here>"), subject);
      assertFalse(subject.contains("\u001b"), subject);
      assertEquals("text/plain; charset=UTF-8", headers.get("Content-Type"));
      String body = new String(Base64.getMimeDecoder().decode(raw.substring(split + 4)), StandardCharsets.UTF_8);
      assertTrue(body.contains("<@channel> <!here> @channel <script>alert(1)</script>"), "the title, as plain text: " + body);
      assertFalse(body.contains("\u001b"), "no terminal escapes: " + body);
      assertTrue(body.contains("Open in Spark: https://spark.example.test/#events/1"), body);
      assertEquals("delivered", AlertsDeliveryTest.awaitFinished(spark).getString("status"));
      spark.stop();
    } finally {
      stop(smtp);
    }
  }
}
