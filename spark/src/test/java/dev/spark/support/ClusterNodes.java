package dev.spark.support;

import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVMs of one test's cluster on loopback, all {@code -cluster} with TCP/IP join on a cluster of the
 * test's own ({@link TestCluster}): Spark as the fat jar, {@link ClusterApp} as an application, or any other member.
 * Every process started here is killed on {@link #close()}, whatever happened.
 */
public final class ClusterNodes implements AutoCloseable {
  private static final String HEAP = "-Xmx256m";

  private final Path dir;
  private final Path clusterXml;
  private final List<SparkProcess> processes = new ArrayList<>();

  private ClusterNodes(Path dir, Path clusterXml) {
    this.dir = dir;
    this.clusterXml = clusterXml;
  }

  public static ClusterNodes in(Path dir) throws Exception {
    return new ClusterNodes(dir, TestCluster.config(dir));
  }

  /** conf/spark.json with this database, this port, the test token and no flood control. */
  public Path conf(String name, Path db, int port) throws Exception {
    return SparkProcess.writeConf(dir.resolve(name + ".json"), new JsonObject()
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("issues", new JsonObject().put("floodControl", false)));
  }

  /** {@code java -jar spark.jar -conf CONF -cluster -cluster-host 127.0.0.1}, waited for until it prints {@code readyLine}. */
  public SparkProcess spark(Path conf, String readyLine) throws Exception {
    List<String> command = new ArrayList<>(SparkProcess.jarCommand(conf, jvm().toArray(String[]::new)));
    command.addAll(List.of("-cluster", "-cluster-host", "127.0.0.1"));
    SparkProcess p = SparkProcess.launch(dir, command);
    processes.add(p);
    p.awaitLine(readyLine, 120);
    return p;
  }

  /** {@link ClusterApp} with a buffer of {@code bufferEvents}, waited for until it has joined ("app ready"). */
  public SparkProcess app(int bufferEvents) throws Exception {
    String here = Path.of("").toAbsolutePath() + "/";
    String classpath = here + "target/test-classes:" + here + "target/classes:" + Files.readString(Path.of("target/test.classpath")).trim();
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvm());
    command.add("-Dslf4j.provider=org.slf4j.jul.JULServiceProvider"); // the test classpath's SLF4J logs through java.util.logging
    command.addAll(List.of("-cp", classpath, ClusterApp.class.getName(), Integer.toString(bufferEvents)));
    SparkProcess p = SparkProcess.launch(dir, command);
    processes.add(p);
    p.awaitLine("app ready", 120);
    return p;
  }

  /**
   * Another member started by {@code command} in the test's directory (e.g. {@code examples/demo/run --cluster
   * --cluster-config=}{@link #clusterXml()}), waited for up to {@code timeoutSeconds} until it prints {@code readyLine}.
   */
  public SparkProcess member(List<String> command, String readyLine, long timeoutSeconds) throws Exception {
    SparkProcess p = SparkProcess.launch(dir, command);
    processes.add(p);
    p.awaitLine(readyLine, timeoutSeconds);
    return p;
  }

  /** This test's cluster.xml: its own cluster name and first port. */
  public Path clusterXml() {
    return clusterXml;
  }

  private List<String> jvm() {
    return List.of(HEAP, "-Dvertx.hazelcast.config=" + clusterXml,
        "-Djava.util.logging.config.file=" + Repo.path("conf/logging.properties"));
  }

  @Override
  public void close() {
    for (SparkProcess p : processes) p.close();
  }
}
