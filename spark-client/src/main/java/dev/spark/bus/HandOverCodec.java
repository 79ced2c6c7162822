package dev.spark.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.Json;

/**
 * A codec for JSON ({@code JsonObject} / {@code JsonArray}) that hands the very object to a consumer
 * in the same JVM instead of a copy. Only for bodies the sender never changes after sending; only
 * used when the event bus is not clustered (its wire form is plain JSON all the same, but a node
 * without the codec registered could not decode it). SparkClient sends SparkWeb's entries with it,
 * and the ingest verticle its answers.
 */
public final class HandOverCodec implements MessageCodec<Object, Object> {
  public static final String NAME = "spark-client-hand-over";

  /** Registers the codec unless it is already, and answers the options that send with it (null on a clustered bus). */
  public static DeliveryOptions options(Vertx vertx, DeliveryOptions base) {
    if (vertx.isClustered()) return null;
    register(vertx);
    return new DeliveryOptions(base).setCodecName(NAME);
  }

  private static void register(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new HandOverCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another SparkClient, or Spark's ingest verticle, on the same Vertx did it
    }
  }

  @Override
  public void encodeToWire(Buffer buffer, Object o) {
    Buffer json = Json.encodeToBuffer(o);
    buffer.appendInt(json.length()).appendBuffer(json);
  }

  @Override
  public Object decodeFromWire(int pos, Buffer buffer) {
    int len = buffer.getInt(pos);
    return Json.decodeValue(buffer.getBuffer(pos + 4, pos + 4 + len));
  }

  @Override
  public Object transform(Object o) {
    return o;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
