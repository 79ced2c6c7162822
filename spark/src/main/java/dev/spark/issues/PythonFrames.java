package dev.spark.issues;

/** Python traceback frames: {@code File "/app/x.py", line 12, in handler}; installed packages are framework frames. */
final class PythonFrames {
  private PythonFrames() {}

  /** The frame of a line starting {@code File "}, or null. */
  static Frame parse(String line) {
    int q = line.indexOf('"', 6);
    if (q < 0) return null;
    int in = line.lastIndexOf(", in ");
    Frame f = in > q ? JsFrames.location(line, in + 5, line.length(), 6, q) : JsFrames.location(line, -1, -1, 6, q);
    String path = line.substring(6, q);
    boolean framework = path.contains("site-packages/") || path.contains("dist-packages/") || path.startsWith("<frozen");
    return new Frame(f.key(), framework);
  }
}
