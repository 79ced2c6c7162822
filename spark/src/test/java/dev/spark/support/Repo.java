package dev.spark.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's root, where conf/, bin/, node_modules/ and examples/ are. Tests run in their
 * module's directory (spark/ or examples/demo/), so paths to those go through here.
 */
public final class Repo {
  public static final Path ROOT = find();

  private Repo() {}

  public static Path path(String first, String... more) {
    return ROOT.resolve(Path.of(first, more));
  }

  private static Path find() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("bin/vertx")) && Files.isDirectory(p.resolve("spark-client"))) return p;
    }
    throw new IllegalStateException("no Spark checkout (bin/vertx and spark-client/) above " + Path.of("").toAbsolutePath());
  }
}
