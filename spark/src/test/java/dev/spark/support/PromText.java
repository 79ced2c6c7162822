package dev.spark.support;

/** Reads one sample from Prometheus text exposition ({@code GET /metrics}). */
public final class PromText {
  private PromText() {}

  /**
   * The value of the first sample named {@code name} whose labels contain {@code label} (e.g.
   * {@code kind="agent"}; null for any), or NaN when there is none.
   */
  public static double value(String body, String name, String label) {
    for (String line : body.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(name)) continue;
      String rest = line.substring(name.length());
      if (!rest.startsWith("{") && !rest.startsWith(" ")) continue; // a longer name
      if (label != null && !rest.contains(label)) continue;
      return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return Double.NaN;
  }
}
