package dev.spark.config;

import dev.spark.support.Repo;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeapAdviceTest {
  private static final long MB = 1L << 20;

  @Test
  void theDefaultBoundsFitTheHeapThatConfJvmOptionsSets() throws Exception {
    SparkConfig defaults = ConfigLoader.load(new JsonObject(), Map.of());
    Matcher xmx = Pattern.compile("(?m)^-Xmx(\\d+)m$").matcher(Files.readString(Repo.path("conf/jvm.options")));
    assertTrue(xmx.find(), "conf/jvm.options sets -Xmx in MB");
    long heap = Long.parseLong(xmx.group(1)) * MB;
    assertNull(HeapAdvice.warning(defaults, heap));
    assertEquals(heap, HeapAdvice.neededBytes(defaults), "the default heap is no larger than the default bounds need");
  }

  @Test
  void aHeapBelowWhatTheBoundsNeedIsNamedWithTheFigures() {
    SparkConfig cfg = ConfigLoader.load(new JsonObject()
        .put("storage", new JsonObject().put("queueMaxBytes", 128 * MB))
        .put("ingest", new JsonObject().put("maxInFlightBytes", 16 * MB)), Map.of());
    assertEquals((128 + 64 + 96) * MB, HeapAdvice.neededBytes(cfg));
    String warning = HeapAdvice.warning(cfg, 256 * MB);
    assertNotNull(warning);
    assertTrue(warning.contains("-Xmx) is 256 MB") && warning.contains("-Xmx288m"), warning);
    assertNull(HeapAdvice.warning(cfg, 288 * MB));
  }
}
