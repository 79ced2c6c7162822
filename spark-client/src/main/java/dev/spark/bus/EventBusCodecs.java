package dev.spark.bus;

import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventBatch;
import dev.spark.event.SparkEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

import java.util.function.Function;

/**
 * Codecs for the objects Spark passes on the event bus. Within one JVM they pass the (immutable)
 * object itself, no copy; {@link EventBatch} also crosses a clustered bus as JSON. The janitor's
 * {@link RetentionOp}s, {@link OutboxOp}s, {@link AlertOp}s, {@link FixOp}s and their replies are registered one record at a time.
 */
public final class EventBusCodecs {
  private EventBusCodecs() {}

  public static void register(Vertx vertx) {
    register(vertx, EventBatch.class, new JsonBacked<>(EventBatch.class, EventBatch::toJson, EventBatch::fromJson));
    register(vertx, SparkEvent.class, new LocalOnly<>(SparkEvent.class));
    register(vertx, AccessLogEntry.class, new LocalOnly<>(AccessLogEntry.class));
    register(vertx, WriteRequest.Events.class, new LocalOnly<>(WriteRequest.Events.class));
    register(vertx, WriteRequest.Access.class, new LocalOnly<>(WriteRequest.Access.class));
    register(vertx, WriteResult.class, new LocalOnly<>(WriteResult.class));
    for (Class<?> op : RetentionOp.class.getPermittedSubclasses()) registerLocal(vertx, op);
    for (Class<?> reply : RetentionOp.Reply.class.getPermittedSubclasses()) {
      if (reply.isInterface()) {
        for (Class<?> step : reply.getPermittedSubclasses()) registerLocal(vertx, step);
      } else {
        registerLocal(vertx, reply);
      }
    }
    for (Class<?> op : OutboxOp.class.getPermittedSubclasses()) registerLocal(vertx, op);
    for (Class<?> reply : OutboxOp.Reply.class.getPermittedSubclasses()) registerLocal(vertx, reply);
    for (Class<?> op : AlertOp.class.getPermittedSubclasses()) registerLocal(vertx, op);
    for (Class<?> reply : AlertOp.Reply.class.getPermittedSubclasses()) registerLocal(vertx, reply);
    registerLocal(vertx, AlertOp.Committed.class);
    for (Class<?> op : FixOp.class.getPermittedSubclasses()) registerLocal(vertx, op);
    for (Class<?> reply : FixOp.Reply.class.getPermittedSubclasses()) registerLocal(vertx, reply);
  }

  private static <T> void registerLocal(Vertx vertx, Class<T> type) {
    register(vertx, type, new LocalOnly<>(type));
  }

  private static <T> void register(Vertx vertx, Class<T> type, MessageCodec<T, T> codec) {
    try {
      vertx.eventBus().registerDefaultCodec(type, codec);
    } catch (IllegalStateException alreadyRegistered) {
      // A second Spark deployment in the same Vert.x instance: the codec is already there.
    }
  }

  static class LocalOnly<T> implements MessageCodec<T, T> {
    private final Class<T> type;

    LocalOnly(Class<T> type) {
      this.type = type;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
      throw new UnsupportedOperationException(type.getSimpleName() + " is only sent within one JVM; send JSON across a cluster");
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException(type.getSimpleName() + " is only sent within one JVM");
    }

    @Override
    public T transform(T t) {
      return t;
    }

    @Override
    public String name() {
      return "spark-" + type.getName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  static final class JsonBacked<T> extends LocalOnly<T> {
    private final Function<T, JsonObject> toJson;
    private final Function<JsonObject, T> fromJson;

    JsonBacked(Class<T> type, Function<T, JsonObject> toJson, Function<JsonObject, T> fromJson) {
      super(type);
      this.toJson = toJson;
      this.fromJson = fromJson;
    }

    @Override
    public void encodeToWire(Buffer buffer, T t) {
      Buffer json = toJson.apply(t).toBuffer();
      buffer.appendInt(json.length()).appendBuffer(json);
    }

    @Override
    public T decodeFromWire(int pos, Buffer buffer) {
      int len = buffer.getInt(pos);
      return fromJson.apply(new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + len)));
    }
  }
}
