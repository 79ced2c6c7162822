package dev.spark.alerts;

import dev.spark.support.Poll;
import dev.spark.support.SparkUnderTest;
import dev.spark.support.TestCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * E-mail over STARTTLS against a real TLS-capable SMTP server (Debian's python3-aiosmtpd with a
 * certificate made here by the JDK's keytool): trusted through the target's {@code caFile}, the mail
 * arrives encrypted after logging in; a certificate Spark does not trust, or one for another host name,
 * fails the delivery with the reason recorded, and nothing is sent in the clear.
 */
@ExtendWith(VertxExtension.class)
class EmailTlsTest {
  private static JsonObject mail(int port, Path caFile) {
    JsonObject t = new JsonObject().put("type", "email").put("host", "127.0.0.1").put("port", port).put("security", "starttls")
        .put("from", "spark@example.test").put("to", new JsonArray().add("oncall@example.test"));
    return caFile == null ? t : t.put("caFile", caFile.toString());
  }

  @Test
  void theMailArrivesOverStartTlsAfterLoggingInWhenTheCaFileTrustsTheServer(Vertx vertx, @TempDir Path dir) throws Exception {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir.resolve("tls"), "smtp", "ip:127.0.0.1");
    int smtpPort = SparkUnderTest.freePort();
    Path mailbox = Files.createDirectories(dir.resolve("mailbox"));
    // TLS required by the server: MAIL or AUTH before STARTTLS is refused, so an arrival proves encryption.
    Process smtp = AlertMessagesTest.smtpSink(smtpPort, mailbox, "alerts", "s3cret pass",
        "--tls", pem.cert().toString(), pem.key().toString(), "--require-tls");
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, AlertMessagesTest.config(new JsonObject().put("oncall-mail",
          mail(smtpPort, pem.cert()).put("username", "alerts").put("password", "s3cret pass"))));
      AlertMessagesTest.post(spark, "over TLS only");
      Path eml = mailbox.resolve("1.eml");
      Poll.until("the e-mail to arrive", 10_000, () -> Files.exists(eml));
      JsonObject envelope = new JsonObject(Files.readString(mailbox.resolve("1.json")));
      assertEquals(true, envelope.getBoolean("tls"), "the session was encrypted: " + envelope);
      assertEquals("alerts", envelope.getString("login"), "logged in (after STARTTLS: the server allows nothing else)");
      assertTrue(Files.readString(eml, StandardCharsets.UTF_8).contains("Subject: "), "a whole message");
      JsonObject d = AlertsDeliveryTest.awaitFinished(spark);
      assertEquals("delivered", d.getString("status"), d.encode());
      assertEquals(1, d.getInteger("attempts"));
      spark.stop();
    } finally {
      AlertMessagesTest.stop(smtp);
    }
  }

  @Test
  void withSecurityTlsTheMailIsEncryptedFromTheFirstByte(Vertx vertx, @TempDir Path dir) throws Exception {
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir.resolve("tls"), "smtps", "ip:127.0.0.1");
    int smtpPort = SparkUnderTest.freePort();
    Path mailbox = Files.createDirectories(dir.resolve("mailbox"));
    Process smtp = AlertMessagesTest.smtpSink(smtpPort, mailbox, "alerts", "s3cret pass",
        "--tls", pem.cert().toString(), pem.key().toString(), "--implicit");
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, AlertMessagesTest.config(new JsonObject().put("smtps",
          mail(smtpPort, pem.cert()).put("security", "tls").put("username", "alerts").put("password", "s3cret pass"))));
      AlertMessagesTest.post(spark, "over SMTPS");
      Poll.until("the e-mail to arrive", 10_000, () -> Files.exists(mailbox.resolve("1.eml")));
      JsonObject envelope = new JsonObject(Files.readString(mailbox.resolve("1.json")));
      assertEquals(true, envelope.getBoolean("tls"), envelope.encode());
      assertEquals("alerts", envelope.getString("login"));
      assertEquals("delivered", AlertsDeliveryTest.awaitFinished(spark).getString("status"));
      spark.stop();
    } finally {
      AlertMessagesTest.stop(smtp);
    }
  }

  @Test
  void anUntrustedCertificateOrAnotherHostsFailsTheDeliveryAndNothingGoesInTheClear(Vertx vertx, @TempDir Path dir) throws Exception {
    // A certificate for another host name: with caFile its chain is trusted, but it does not name 127.0.0.1.
    TestCertificates.Pem pem = TestCertificates.selfSigned(dir.resolve("tls"), "smtp", "dns:mail.example.test");
    int smtpPort = SparkUnderTest.freePort();
    Path mailbox = Files.createDirectories(dir.resolve("mailbox"));
    // STARTTLS offered, not required: a client that carried on in the clear after a failed handshake would be heard.
    Process smtp = AlertMessagesTest.smtpSink(smtpPort, mailbox, "--tls", pem.cert().toString(), pem.key().toString());
    try {
      SparkUnderTest spark = SparkUnderTest.start(vertx, dir, AlertMessagesTest.config(new JsonObject()
          .put("jvm-trust", mail(smtpPort, null))
          .put("wrong-host", mail(smtpPort, pem.cert()))));
      AlertMessagesTest.post(spark, "must not travel in the clear");
      Map<String, JsonObject> byTarget = Poll.until("both deliveries to finish", 10_000, () -> {
        Map<String, JsonObject> out = new HashMap<>();
        for (Object o : spark.getJson("/api/v1/alerts/deliveries").getJsonArray("deliveries")) {
          JsonObject d = (JsonObject) o;
          if (!d.getString("status").equals("pending")) out.put(d.getString("target"), d);
        }
        return out.size() == 2 ? out : null;
      });
      JsonObject untrusted = byTarget.get("jvm-trust");
      assertEquals("dropped", untrusted.getString("status"), "final at once: retrying does not make the certificate trusted");
      assertEquals(1, untrusted.getInteger("attempts"));
      assertEquals("the SMTP server's certificate is not trusted (no trusted certificate chain to it) (SMTP 127.0.0.1:" + smtpPort
          + "); trust its CA with the target's caFile or the JVM's trust store", untrusted.getString("lastError"));
      JsonObject wrongHost = byTarget.get("wrong-host");
      assertEquals("dropped", wrongHost.getString("status"), wrongHost.encode());
      assertTrue(wrongHost.getString("lastError").startsWith("the SMTP server's certificate is not trusted (No subject alternative names matching IP address 127.0.0.1"),
          wrongHost.encode());
      try (var files = Files.list(mailbox)) {
        assertEquals(0, files.count(), "nothing was sent in the clear");
      }
      spark.stop();
    } finally {
      AlertMessagesTest.stop(smtp);
    }
  }
}
