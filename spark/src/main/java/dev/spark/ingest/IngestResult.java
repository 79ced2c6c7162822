package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * What an ingest request got: for each item sent, in order, its committed id (the id it was stored
 * under before, for an event whose {@code eventId} was already stored), or null when Spark was told
 * not to keep it ({@code enabled: false}, or a {@code watch.*} switch turned off). {@code ignoredFields}
 * is null when every field sent was kept; else, per item, the names of the fields that were not.
 * {@code batch}: the request was an array (the answer names ignored fields per item).
 */
public record IngestResult(Long[] ids, List<List<String>> ignoredFields, boolean batch) {
  public IngestResult(Long[] ids) {
    this(ids, null, true);
  }

  public int stored() {
    int n = 0;
    for (Long id : ids) if (id != null) n++;
    return n;
  }

  /**
   * {@link #toJson()} encoded: the same text, written directly when no field was ignored (the common
   * answer holds only numbers), without building a JsonObject and a Jackson generator for it.
   */
  public String encode() {
    if (ignoredFields != null) return toJson().encode();
    StringBuilder out = new StringBuilder(32 + 12 * ids.length).append("{\"ids\":[");
    int stored = 0;
    for (int i = 0; i < ids.length; i++) {
      if (i > 0) out.append(',');
      if (ids[i] == null) out.append("null");
      else {
        out.append(ids[i].longValue());
        stored++;
      }
    }
    return out.append("],\"stored\":").append(stored).append(",\"ignored\":").append(ids.length - stored).append('}').toString();
  }

  public JsonObject toJson() {
    JsonArray arr = new JsonArray(new ArrayList<>(ids.length));
    for (Long id : ids) arr.add(id);
    // Sized for its three or four keys: the default map would allocate a table of 16 at the first put.
    int stored = stored();
    JsonObject json = new JsonObject(new LinkedHashMap<>(8)).put("ids", arr).put("stored", stored).put("ignored", ids.length - stored);
    if (ignoredFields != null) {
      if (batch) {
        JsonArray perItem = new JsonArray();
        for (List<String> names : ignoredFields) perItem.add(new JsonArray(names));
        json.put("ignoredFields", perItem);
      } else {
        json.put("ignoredFields", new JsonArray(ignoredFields.get(0)));
      }
    }
    return json;
  }
}
