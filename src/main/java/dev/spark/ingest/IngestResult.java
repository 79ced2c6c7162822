package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What an ingest request got: for each item sent, in order, its committed id, or null when Spark
 * was told not to keep it ({@code enabled: false}, or a {@code watch.*} switch turned off).
 */
public record IngestResult(Long[] ids) {
  public int stored() {
    int n = 0;
    for (Long id : ids) if (id != null) n++;
    return n;
  }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray();
    for (Long id : ids) arr.add(id);
    return new JsonObject().put("ids", arr).put("stored", stored()).put("ignored", ids.length - stored());
  }
}
