package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/** Sends a delivery to one kind of target. Never fails its future: a failure is an {@link Attempt}. */
public interface TargetClient {
  Future<Attempt> send(Delivery delivery);

  static TargetClient of(Vertx vertx, HttpClient http, AlertTarget target, long timeoutMs) {
    return switch (target.type()) {
      case "webhook" -> new WebhookTarget(new HttpPoster(http, timeoutMs), target);
      case "slack" -> new SlackTarget(new HttpPoster(http, timeoutMs), target);
      case "email" -> new EmailTarget(vertx, target, timeoutMs);
      default -> throw new IllegalArgumentException("unknown target type " + target.type());
    };
  }
}
