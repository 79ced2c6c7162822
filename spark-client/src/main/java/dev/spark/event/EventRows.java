package dev.spark.event;

import java.util.function.Function;

/**
 * An {@code events} row (the columns of the named SELECTs) as a {@link StoredEvent}, from whatever
 * reads it: a JDBC result set on the writer, a Vert.x SQL client row on the read pool.
 */
public final class EventRows {
  private EventRows() {}

  public static StoredEvent event(Function<String, Object> column) {
    Long status = number(column.apply("status"));
    EventRow row = new EventRow(text(column.apply("type")), text(column.apply("trace_id")), text(column.apply("timestamp")),
        text(column.apply("environment")), text(column.apply("feature")), text(column.apply("route")),
        status == null ? null : status.intValue(), text(column.apply("data")), text(column.apply("fingerprint")), null);
    return new StoredEvent(number(column.apply("id")), row, flag(column.apply("consumed")), text(column.apply("consumed_at")),
        IssueDelivery.parse(text(column.apply("delivery"))), flag(column.apply("suppressed")));
  }

  private static Long number(Object v) {
    return v instanceof Number n ? n.longValue() : null;
  }

  private static boolean flag(Object v) {
    return v instanceof Number n && n.longValue() != 0;
  }

  private static String text(Object v) {
    return v == null ? null : v.toString();
  }
}
