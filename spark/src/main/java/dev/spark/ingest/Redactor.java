package dev.spark.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replaces the values of sensitive keys with {@link #REDACTED} in a deep copy of a JSON-like value.
 * A key is sensitive when its normalised form (lower case, letters and digits only) contains any
 * normalised pattern, so {@code X-Api-Key}, {@code api_key} and {@code apiKey} all match {@code apikey}.
 */
public final class Redactor {

  public static final String REDACTED = "[REDACTED]";

  public static final List<String> DEFAULT_PATTERNS = List.of(
    "password", "passwd", "secret", "token", "authorization", "cookie", "apikey", "creditcard", "cardnumber");

  /** Keys longer than this are not remembered. */
  static final int CACHED_KEY_CHARS = 64;
  /** Most keys remembered: the keys of real documents repeat ("type", "message", "stack", ...). */
  static final int CACHED_KEYS = 4_096;

  private final String[] patterns;
  /**
   * Whether a key is sensitive, remembered: normalising a key allocates three objects, for every key
   * of every document ingested. Bounded: once full, further keys are only computed.
   */
  private final Map<String, Boolean> known = new ConcurrentHashMap<>();

  public Redactor(List<String> patterns) {
    this.patterns = new String[patterns.size()];
    for (int i = 0; i < this.patterns.length; i++) {
      String p = normalise(patterns.get(i));
      // an empty pattern would be contained in every key and redact everything
      if (p.isEmpty()) {
        throw new IllegalArgumentException("Pattern has no letters or digits: '" + patterns.get(i) + "'");
      }
      this.patterns[i] = p;
    }
  }

  public boolean isSensitive(String key) {
    if (key == null) {
      return false;
    }
    Boolean cached = known.get(key);
    if (cached != null) {
      return cached;
    }
    boolean sensitive = matches(key);
    if (key.length() <= CACHED_KEY_CHARS && known.size() < CACHED_KEYS) {
      known.put(key, sensitive);
    }
    return sensitive;
  }

  int cachedKeys() {
    return known.size();
  }

  private boolean matches(String key) {
    String k = normalise(key);
    for (String p : patterns) {
      if (k.contains(p)) {
        return true;
      }
    }
    return false;
  }

  public JsonObject redact(JsonObject in) {
    return in == null ? null : new JsonObject(redactMap(in.getMap()));
  }

  /**
   * Returns a redacted deep copy: JsonObject and JsonArray stay Json types, other Maps become
   * LinkedHashMaps and other Lists ArrayLists; scalars are returned as they are.
   */
  public Object redactValue(Object v) {
    if (v instanceof JsonObject o) {
      return new JsonObject(redactMap(o.getMap()));
    } else if (v instanceof JsonArray a) {
      return new JsonArray(redactList(a.getList()));
    } else if (v instanceof Map<?, ?> m) {
      return redactMap(m);
    } else if (v instanceof List<?> l) {
      return redactList(l);
    }
    return v;
  }

  // Works on the raw map/list rather than JsonObject's iterator, which wraps nested values.
  private <K> Map<K, Object> redactMap(Map<K, ?> in) {
    Map<K, Object> out = new LinkedHashMap<>();
    for (Map.Entry<K, ?> e : in.entrySet()) {
      Object value = e.getValue();
      if (value != null && e.getKey() != null && isSensitive(e.getKey().toString())) {
        out.put(e.getKey(), REDACTED);
      } else {
        out.put(e.getKey(), redactValue(value));
      }
    }
    return out;
  }

  private List<Object> redactList(List<?> in) {
    List<Object> out = new ArrayList<>(in.size());
    for (Object item : in) {
      out.add(redactValue(item));
    }
    return out;
  }

  static String normalise(String s) {
    String lower = s.toLowerCase(Locale.ROOT);
    StringBuilder sb = new StringBuilder(lower.length());
    for (int i = 0; i < lower.length(); ) {
      int cp = lower.codePointAt(i);
      if (Character.isLetterOrDigit(cp)) {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return sb.toString();
  }
}
