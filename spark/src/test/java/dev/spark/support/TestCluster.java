package dev.spark.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * conf/cluster.xml as shipped, with a cluster name and a first member port of one test's own, so no
 * other cluster on the machine (another test, another Spark) is joined. Pass the file with
 * {@code -Dvertx.hazelcast.config}.
 */
public final class TestCluster {
  private TestCluster() {}

  public static Path config(Path dir) throws Exception {
    int base = SparkUnderTest.freePort();
    String name = "spark-test-" + UUID.randomUUID();
    String xml = Files.readString(Repo.path("conf/cluster.xml"))
        .replace("<cluster-name>spark</cluster-name>", "<cluster-name>" + name + "</cluster-name>")
        .replace(">5701</port>", ">" + base + "</port>");
    if (!xml.contains(name) || !xml.contains(">" + base + "</port>")) {
      throw new AssertionError("conf/cluster.xml no longer has the <cluster-name> and <port> this rewrites");
    }
    return Files.writeString(dir.resolve("cluster.xml"), xml);
  }
}
