package dev.spark.janitor;

import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long a cleanup's paced steps held the single writer, per phase: the report's {@code writer}
 * object, e.g. {@code {"agedEvents":{"steps":200,"ms":840,"longestMs":12}}}. Ingest waits behind a
 * step for up to its time, so {@code longestMs} is the stall a cleanup can add to one request.
 */
final class WriterTimes {
  private final Map<String, long[]> phases = new LinkedHashMap<>();

  /** One step of {@code phase} held the writer for {@code nanos}. */
  void add(String phase, long nanos) {
    long[] p = phases.computeIfAbsent(phase, k -> new long[3]);
    p[0]++;
    p[1] += nanos;
    p[2] = Math.max(p[2], nanos);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject();
    phases.forEach((phase, p) -> json.put(phase, new JsonObject().put("steps", p[0])
        .put("ms", p[1] / 1_000_000).put("longestMs", Math.round(p[2] / 100_000.0) / 10.0)));
    return json;
  }
}
