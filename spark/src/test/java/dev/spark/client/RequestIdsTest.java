package dev.spark.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestIdsTest {
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  @Test
  void traceparentTraceIdIsTakenOnlyFromAValidHeader() {
    assertEquals(TRACE, RequestIds.traceId("00-" + TRACE + "-00f067aa0ba902b7-01"));
    assertEquals(TRACE, RequestIds.traceId(" 00-" + TRACE + "-00f067aa0ba902b7-00 "));
    assertEquals(TRACE, RequestIds.traceId("01-" + TRACE + "-00f067aa0ba902b7-01-future-field"), "later versions may append fields");
    assertNull(RequestIds.traceId("00-" + TRACE + "-00f067aa0ba902b7-01-extra"), "version 00 has exactly four fields");
    assertNull(RequestIds.traceId("ff-" + TRACE + "-00f067aa0ba902b7-01"), "version ff is invalid");
    assertNull(RequestIds.traceId("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01"), "all-zero trace id");
    assertNull(RequestIds.traceId("00-" + TRACE + "-0000000000000000-01"), "all-zero parent id");
    assertNull(RequestIds.traceId("00-" + TRACE.toUpperCase() + "-00f067aa0ba902b7-01"), "upper-case hex");
    assertNull(RequestIds.traceId("00-" + TRACE.substring(1) + "-00f067aa0ba902b7-01"));
    assertNull(RequestIds.traceId("garbage"));
    assertNull(RequestIds.traceId(null));
  }

  @Test
  void requestIdsMustBeShortVisibleAscii() {
    assertTrue(RequestIds.wellFormed("abc-123"));
    assertTrue(RequestIds.wellFormed("01a20ba2-0903-74cb-a098-e01c0b693804"));
    assertTrue(RequestIds.wellFormed("x".repeat(128)));
    assertFalse(RequestIds.wellFormed("x".repeat(129)));
    assertFalse(RequestIds.wellFormed(""));
    assertFalse(RequestIds.wellFormed("with space"));
    assertFalse(RequestIds.wellFormed("quote\"d"));
    assertFalse(RequestIds.wellFormed("tab\t"));
    assertFalse(RequestIds.wellFormed("naïve"));
    assertFalse(RequestIds.wellFormed(null));
  }
}
