package dev.spark.demo;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code examples/demo/run --cluster}: the demo's Vert.x as a member of Spark's Hazelcast cluster, so
 * its {@code SparkClient} reaches the Spark process over the clustered event bus. Hazelcast is
 * configured from the same file as Spark's ({@code conf/cluster.xml}, or another), hence the same
 * cluster name and member list.
 */
final class DemoCluster {
  private final Vertx vertx;
  private final HazelcastClusterManager manager;
  private final Path config;

  private DemoCluster(Vertx vertx, HazelcastClusterManager manager, Path config) {
    this.vertx = vertx;
    this.manager = manager;
    this.config = config;
  }

  /** Joins the cluster {@code config} describes, with the event bus listening on {@code host}. Fails with a message naming the file. */
  static Future<DemoCluster> join(Path config, String host) {
    if (!Files.isRegularFile(config)) {
      return Future.failedFuture("no Hazelcast configuration at " + config.toAbsolutePath()
          + " (--cluster-config=PATH; Spark's is conf/cluster.xml)");
    }
    HazelcastClusterManager manager;
    try {
      manager = new HazelcastClusterManager(Config.loadFromFile(config.toFile()));
    } catch (Exception e) {
      return Future.failedFuture("cannot read " + config + ": " + e.getMessage());
    }
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(host).setPort(0));
    Future<Vertx> joined;
    try {
      joined = Vertx.builder().with(options).withClusterManager(manager).buildClustered();
    } catch (Exception e) {
      joined = Future.failedFuture(e);
    }
    return joined
        .map(vertx -> new DemoCluster(vertx, manager, config))
        .recover(e -> Future.failedFuture("could not join the cluster of " + config + " (event bus on " + host + "): " + e));
  }

  Vertx vertx() {
    return vertx;
  }

  /** What the demo joined, and what to check when it is alone there. */
  String describe() {
    int members = manager.getNodes().size();
    String joined = "Joined the Hazelcast cluster '" + manager.getConfig().getClusterName() + "' (" + config + ") as "
        + manager.getNodeId() + ": " + members + (members == 1 ? " member" : " members")
        + ". This JVM runs no Spark: the shop reports to the Spark process of that cluster over the event bus.";
    if (members > 1) return joined;
    return joined + "\nNo other member yet: start Spark with -cluster and the same cluster.xml (README, \"Running on a cluster\");"
        + " until it joins, what the shop reports is kept and sent again.";
  }
}
