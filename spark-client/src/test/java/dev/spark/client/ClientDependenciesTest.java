package dev.spark.client;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an application gets on its classpath by adding spark-client: Vert.x core and web and what they
 * bring, nothing of the server's. The classpath is the one Maven resolves for the artifact's runtime
 * scope (written by the build to target/runtime.classpath), i.e. what `mvn dependency:tree` shows.
 */
class ClientDependenciesTest {
  private static final List<String> SERVER_ONLY = List.of(
      "sqlite-jdbc", "picocli", "micrometer", "vertx-launcher", "vertx-jdbc", "vertx-sql", "vertx-hazelcast", "hazelcast",
      "vertx-micrometer", "dec-", "spark-");
  private static final List<String> ALLOWED = List.of(
      "vertx-core-", "vertx-web-", "vertx-web-common-", "vertx-auth-common-", "vertx-bridge-common-", "netty-", "jackson-core-");

  @Test
  void theClientsRuntimeClasspathHoldsVertxCoreAndWebOnly() throws IOException {
    List<String> jars = runtimeJars();
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("vertx-core-")), "vertx-core is there: " + jars);
    assertTrue(jars.stream().anyMatch(j -> j.startsWith("vertx-web-")), "vertx-web is there: " + jars);
    for (String jar : jars) {
      for (String server : SERVER_ONLY) assertFalse(jar.startsWith(server), "spark-client must not bring " + jar);
      assertTrue(ALLOWED.stream().anyMatch(jar::startsWith), "not a dependency of Vert.x core or web: " + jar);
    }
  }

  @Test
  void noServerClassIsReachableFromTheClient() {
    for (String cls : List.of("org.sqlite.JDBC", "picocli.CommandLine", "io.micrometer.core.instrument.MeterRegistry",
        "io.vertx.launcher.application.VertxApplication", "dev.spark.SparkVerticle")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(cls), cls + " is on spark-client's test classpath");
    }
  }

  private static List<String> runtimeJars() throws IOException {
    Path file = Path.of("target", "runtime.classpath");
    assertTrue(Files.exists(file), "the build writes " + file.toAbsolutePath());
    String text = Files.readString(file).trim();
    if (text.isEmpty()) return List.of();
    return Arrays.stream(text.split(File.pathSeparator)).map(p -> Path.of(p).getFileName().toString()).toList();
  }
}
