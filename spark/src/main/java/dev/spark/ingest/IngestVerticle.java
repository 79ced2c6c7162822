package dev.spark.ingest;

import dev.spark.bus.Addresses;
import dev.spark.bus.EventBusCodecs;
import dev.spark.bus.HandOverCodec;
import dev.spark.config.SparkConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

import java.util.function.BiFunction;

/**
 * Event-bus entry points: {@code spark.ingest.event} and {@code spark.ingest.access}. A
 * {@code request} is answered with the committed ids as {@code {"ids": [...]}} or failed with
 * 400 (bad input) / 503 (queue full, shutting down); a {@code send} is fire-and-forget. A batch of
 * more than {@link Ingestor#OFF_LOOP_ITEMS} items is validated on a worker thread, so that it does not
 * hold this event loop, which an application's own verticles share (SparkWeb sends its access log in
 * batches of up to 256).
 */
public final class IngestVerticle extends VerticleBase {
  private Ingestor ingestor;
  /**
   * How answers are sent: within one JVM the bus copies a JsonObject reply in case its sender changes it
   * afterwards (a deep copy per request, ~13 % of this verticle's CPU in bin/bench's b1); each answer is
   * built for its reply alone and never touched again, so it is handed over as it is. On a clustered bus
   * the default codec (a requester in another JVM has no Spark codec to decode with).
   */
  private DeliveryOptions answers;

  @Override
  public Future<?> start() {
    EventBusCodecs.register(vertx);
    ingestor = new Ingestor(vertx, SparkConfig.fromJson(config()));
    DeliveryOptions local = HandOverCodec.options(vertx, new DeliveryOptions());
    answers = local == null ? new DeliveryOptions() : local;
    return Future.all(
        vertx.eventBus().consumer(Addresses.INGEST_EVENT, (Message<Object> m) -> handle(m, ingestor::events)).completion(),
        vertx.eventBus().consumer(Addresses.INGEST_ACCESS, (Message<Object> m) -> handle(m, ingestor::access)).completion());
  }

  private void handle(Message<Object> msg, BiFunction<Object, Boolean, Future<IngestResult>> ingest) {
    ingest.apply(msg.body(), Ingestor.holdsALoop(msg.body())).onComplete(ar -> {
      if (msg.replyAddress() == null) return;
      if (ar.succeeded()) msg.reply(ar.result().toJson(), answers);
      else msg.fail(IngestFailures.status(ar.cause()), IngestFailures.message(ar.cause()));
    });
  }
}
