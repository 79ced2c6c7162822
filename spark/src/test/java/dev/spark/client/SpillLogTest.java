package dev.spark.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The buffer's file on its own: what comes back after a restart, and what a crash or damage leaves. */
class SpillLogTest {

  @Test
  void theSendsStillKeptComeBackInOrderWithTheirBodies(@TempDir Path dir) throws Exception {
    try (SpillLog log = SpillLog.open(dir)) {
      assertEquals(List.of(), log.recover());
      log.added(item(1, new JsonObject().put("eventId", "a").put("error", new JsonObject().put("message", "line\nbreak \u00e9"))));
      log.added(item(2, new JsonObject().put("eventId", "b")));
      log.added(item(3, new JsonArray().add(new JsonObject().put("path", "/x")).add(new JsonObject().put("path", "/y"))));
      log.done(2);
    }
    try (SpillLog log = SpillLog.open(dir)) {
      List<SendBuffer.Item> back = log.recover();
      assertEquals(List.of(1L, 3L), back.stream().map(SendBuffer.Item::seq).toList());
      assertEquals("line\nbreak \u00e9", ((JsonObject) back.get(0).body()).getJsonObject("error").getString("message"));
      assertEquals(2, back.get(1).items());
      assertEquals("spark.ingest.access", back.get(1).address());
      assertEquals(SpillLog.bytes(back.get(1).body()), back.get(1).bytes());
    }
  }

  @Test
  void aRecordACrashCutShortIsSkippedAndTheGoodOnesKept(@TempDir Path dir) throws Exception {
    try (SpillLog log = SpillLog.open(dir)) {
      log.recover();
      for (long seq = 1; seq <= 3; seq++) log.added(item(seq, new JsonObject().put("eventId", "e" + seq)));
    }
    Path file = dir.resolve(SpillLog.FILE);
    long whole = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(whole - 7); // the third record, half written
    }
    try (SpillLog log = SpillLog.open(dir)) {
      assertEquals(List.of(1L, 2L), log.recover().stream().map(SendBuffer.Item::seq).toList());
      log.added(item(4, new JsonObject().put("eventId", "e4"))); // not glued to the cut line
    }
    try (SpillLog log = SpillLog.open(dir)) {
      assertEquals(List.of(1L, 2L, 4L), log.recover().stream().map(SendBuffer.Item::seq).toList());
    }
  }

  @Test
  void aDamagedLineIsSkippedAndTheLinesAfterItStillCount(@TempDir Path dir) throws Exception {
    try (SpillLog log = SpillLog.open(dir)) {
      log.recover();
      for (long seq = 1; seq <= 3; seq++) log.added(item(seq, new JsonObject().put("eventId", "e" + seq)));
    }
    Path file = dir.resolve(SpillLog.FILE);
    String text = Files.readString(file);
    Files.writeString(file, text.replace("\"e2\"", "\"x2\""));
    try (SpillLog log = SpillLog.open(dir)) {
      List<SendBuffer.Item> back = log.recover();
      assertEquals(List.of(1L, 3L), back.stream().map(SendBuffer.Item::seq).toList());
    }
    String rewritten = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(2, rewritten.lines().count(), "opening rewrote the file with only the good records: " + rewritten);
  }

  @Test
  void oneClientPerDirectory(@TempDir Path dir) throws Exception {
    try (SpillLog first = SpillLog.open(dir)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> SpillLog.open(dir));
      assertTrue(e.getMessage().contains("Another SparkClient uses the buffer directory"), e.getMessage());
    }
    SpillLog.open(dir).close(); // free again once the first is closed
  }

  private static SendBuffer.Item item(long seq, Object body) {
    String address = body instanceof JsonArray ? "spark.ingest.access" : "spark.ingest.event";
    int items = body instanceof JsonArray a ? a.size() : 1;
    return new SendBuffer.Item(seq, address, body, items, SpillLog.bytes(body), null);
  }
}
