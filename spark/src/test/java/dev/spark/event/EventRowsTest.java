package dev.spark.event;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one events-row mapper, fed as JDBC (Integer or Long columns) and the Vert.x SQL client (Long columns) hand values over. */
class EventRowsTest {

  @Test
  void mapsEveryColumnWhateverTheIntegerType() {
    for (Number one : new Number[] {1, 1L}) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", 42L);
      row.put("type", "server-error");
      row.put("trace_id", "t-1");
      row.put("timestamp", "2026-01-01T00:00:00.000Z");
      row.put("environment", "production");
      row.put("feature", "checkout");
      row.put("route", "GET /x");
      row.put("status", one instanceof Integer ? (Object) 503 : (Object) 503L);
      row.put("data", "{\"a\":1}");
      row.put("fingerprint", "abc");
      row.put("consumed", one);
      row.put("consumed_at", "2026-01-01T00:00:01.000Z");
      row.put("suppressed", one);
      StoredEvent e = EventRows.event(row::get);
      assertEquals(42L, e.id());
      assertEquals("server-error", e.row().type());
      assertEquals(503, e.row().status());
      assertEquals("abc", e.row().fingerprint());
      assertTrue(e.consumed());
      assertTrue(e.suppressed());
      assertEquals("2026-01-01T00:00:01.000Z", e.consumedAt());
    }
  }

  @Test
  void nullColumnsStayNullAndFlagsFalse() {
    Map<String, Object> row = new HashMap<>();
    row.put("id", 7);
    row.put("type", "log");
    row.put("timestamp", "2026-01-01T00:00:00.000Z");
    row.put("data", "{}");
    StoredEvent e = EventRows.event(row::get);
    assertEquals(7L, e.id());
    assertNull(e.row().status());
    assertNull(e.row().route());
    assertFalse(e.consumed());
    assertFalse(e.suppressed());
  }
}
