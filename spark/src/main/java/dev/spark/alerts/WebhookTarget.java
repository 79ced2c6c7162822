package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * A generic webhook: the alert's JSON POSTed as it is, with {@code X-Spark-Delivery} (the same on
 * every attempt, for the receiver to drop repeats), {@code X-Spark-Event} (the kind) and, when the
 * target has a secret, {@code X-Spark-Signature: sha256=<hex HMAC-SHA256 of the body>}.
 */
final class WebhookTarget implements TargetClient {
  private final HttpPoster poster;
  private final AlertTarget target;

  WebhookTarget(HttpPoster poster, AlertTarget target) {
    this.poster = poster;
    this.target = target;
  }

  @Override
  public Future<Attempt> send(Delivery delivery) {
    Buffer body = body(delivery);
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/json")
        .add("User-Agent", "Spark-Alerts/1")
        .add("X-Spark-Delivery", delivery.id())
        .add("X-Spark-Event", delivery.kind());
    if (!target.secret().isEmpty()) headers.add("X-Spark-Signature", "sha256=" + hmacSha256Hex(target.secret(), body.getBytes()));
    return poster.post(target.url(), headers, body);
  }

  /** The body: the alert with its delivery id, encoded the same way on every attempt. */
  static Buffer body(Delivery delivery) {
    return Buffer.buffer(delivery.payload().copy().put("delivery", delivery.id()).encode());
  }

  static String hmacSha256Hex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
