package dev.spark.bus;

import dev.spark.event.AccessRow;
import dev.spark.event.EventRow;

import java.util.List;

/** Rows for the storage verticle to commit; answered with a {@link WriteResult} once committed. */
public sealed interface WriteRequest {
  int size();

  long approxBytes();

  record Events(List<EventRow> rows) implements WriteRequest {
    public Events {
      rows = List.copyOf(rows);
    }

    public int size() {
      return rows.size();
    }

    public long approxBytes() {
      long n = 0;
      for (EventRow r : rows) n += r.approxBytes();
      return n;
    }
  }

  record Access(List<AccessRow> rows) implements WriteRequest {
    public Access {
      rows = List.copyOf(rows);
    }

    public int size() {
      return rows.size();
    }

    public long approxBytes() {
      long n = 0;
      for (AccessRow r : rows) n += r.approxBytes();
      return n;
    }
  }
}
