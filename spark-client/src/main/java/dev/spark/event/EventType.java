package dev.spark.event;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The kinds of error event Spark captures, with their names on the wire and in the database. */
public enum EventType {
  SERVER_ERROR("server-error"),
  UNHANDLED_ERROR("unhandled-error"),
  RATE_LIMIT("rate-limit"),
  PROCESS_ERROR("process-error");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<EventType> fromWire(String name) {
    for (EventType t : values()) if (t.wire.equals(name)) return Optional.of(t);
    return Optional.empty();
  }

  public static String allowed() {
    return Arrays.stream(values()).map(EventType::wire).collect(Collectors.joining(", "));
  }
}
