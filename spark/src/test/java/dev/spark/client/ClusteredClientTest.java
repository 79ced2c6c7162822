package dev.spark.client;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import dev.spark.event.AccessLogEntry;
import dev.spark.event.EventType;
import dev.spark.event.SparkEvent;
import dev.spark.event.StoredEvent;
import dev.spark.support.Await;
import dev.spark.support.EventWatch;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Spark on one node of a clustered event bus (Hazelcast on loopback), the app with its client and
 * SparkWeb on another: everything crosses the wire as JSON.
 */
class ClusteredClientTest {

  private static Vertx clustered(String cluster) {
    System.setProperty("hazelcast.phone.home.enabled", "false");
    System.setProperty("hazelcast.logging.type", "jdk");
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.getNetworkConfig().setPort(5701).setPortAutoIncrement(true);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1");
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    return Await.result(Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(config)).buildClustered());
  }

  @Test
  void theClientAndSparkWebWorkAcrossAClusteredEventBus(@TempDir Path dir) {
    String cluster = "spark-test-" + UUID.randomUUID();
    Vertx sparkNode = clustered(cluster);
    Vertx appNode = clustered(cluster);
    try {
      assertTrue(sparkNode.isClustered() && appNode.isClustered());
      SparkUnderTest spark = SparkUnderTest.start(sparkNode, dir, null);
      // The backlog is published as soon as the agent registers; the Spark node must know the app
      // node's consumer by then (see SparkClientOptions.setClusterPropagationMs). Generous here, as
      // this machine's load varies.
      SparkClient client = SparkClient.create(appNode, new SparkClientOptions().setClusterPropagationMs(1_500));

      // acknowledged and fire-and-forget sends from the other node
      long id = Await.result(client.storeEvent(SparkEvent.of(EventType.SERVER_ERROR, "from the app node"))).get(0);
      assertEquals(1, spark.count("SELECT count(*) FROM events WHERE id = " + id));

      // an observer and an agent on the app node get EventBatch messages decoded from the wire
      EventWatch observed = Await.result(EventWatch.start(client));
      EventWatch consumed = new EventWatch();
      SparkSubscription agent = Await.result(client.subscribe("remote-agent", consumed));
      assertTrue(Await.result(consumed.awaitId(id)).consumed(), "the backlog went to the remote agent");
      client.sendEvent(SparkEvent.of(EventType.UNHANDLED_ERROR, "sent from afar"));
      StoredEvent live = Await.result(observed.await(e -> e.row().data().contains("sent from afar")));
      assertEquals("unhandled-error", live.row().type());
      assertTrue(Await.result(consumed.awaitId(live.id())).consumed());

      // SparkWeb on the app node
      WebFixture app = WebFixture.start(appNode, client, new SparkWebOptions(), router -> {
        router.get("/ok").setName("ok").handler(ctx -> ctx.end("ok"));
        router.get("/fail").setName("fail").handler(ctx -> {
          throw new IllegalStateException("failed on the app node");
        });
      });
      HttpResponse<Buffer> ok = Await.result(app.http.get("/ok").send());
      HttpResponse<Buffer> fail = Await.result(app.http.get("/fail").send());
      Map<String, JsonObject> rows = app.accessRows(spark, 2);
      assertEquals("ok", rows.get(ok.getHeader("X-Request-Id")).getString("feature"));
      assertEquals(500, rows.get(fail.getHeader("X-Request-Id")).getInteger("status"));
      StoredEvent error = Await.result(observed.awaitTrace(fail.getHeader("X-Request-Id")));
      assertEquals("fail", error.row().feature());
      assertEquals(List.of(), List.of(client.refused(), app.web.refused()).stream().filter(n -> n != 0).toList(), "nothing refused");

      Await.result(agent.close());
      Await.result(client.storeAccess(new AccessLogEntry("GET", "/after", 200, 1L, null, null, null, null, null, null, null)));
      app.close();
      spark.stop();
    } finally {
      Await.result(appNode.close());
      Await.result(sparkNode.close());
    }
  }
}
