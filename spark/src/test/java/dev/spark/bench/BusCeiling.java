package dev.spark.bench;

import dev.spark.bus.HandOverCodec;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The event-bus ceiling for (b1): a bare consumer on Spark's Vert.x that takes each message of (b1)'s
 * load and answers what Spark answers for one stored row ({@code {"ids":[n],"stored":1,"ignored":0}}),
 * storing nothing and checking nothing. Deployed and answering as Spark's ingest verticle is
 * ({@code ingestInstances} instances, one consumer each; answers handed over, not copied). (b1)'s load generator shares the server's event loops, so what it
 * allocates and spends (the message it builds, the bus's copy of it, the reply's handling) is counted
 * in (b1)'s server-side figures; this run measures that part alone, and (b1) - (hb) is Spark's own.
 * Every instance hands out its own ids, as {@link HttpCeiling}'s do, for the same check.
 */
final class BusCeiling implements BareServer {
  static final String ADDRESS = "bench.bare.access";

  private final Vertx vertx;
  private final String deploymentId;
  private final HttpCeiling.Tally tally;

  private BusCeiling(Vertx vertx, String deploymentId, HttpCeiling.Tally tally) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.tally = tally;
  }

  static BusCeiling start(Vertx vertx, int instances) {
    HttpCeiling.Tally tally = new HttpCeiling.Tally();
    AtomicInteger index = new AtomicInteger();
    String id = Bench.await(vertx.deployVerticle(() -> new Consumer(index.getAndIncrement(), instances, tally),
        new DeploymentOptions().setInstances(instances)), 60);
    return new BusCeiling(vertx, id, tally);
  }

  @Override
  public void stop() {
    Bench.await(vertx.undeploy(deploymentId), 60);
  }

  @Override
  public String note() {
    return "stores nothing; answers each message on the bus";
  }

  @Override
  public RunStats.Verification verify(BitSet acked) {
    return tally.verify(acked);
  }

  /** One instance; its fields are touched by its own event loop only. */
  private static final class Consumer extends VerticleBase {
    private final int step;
    private final HttpCeiling.Tally tally;
    private final BitSet answered = new BitSet();
    private long nextId;

    Consumer(int index, int step, HttpCeiling.Tally tally) {
      this.nextId = index;
      this.step = step;
      this.tally = tally;
    }

    @Override
    public Future<?> start() {
      // Answered as Spark's ingest verticle answers: handed over, not copied by the bus.
      DeliveryOptions answers = HandOverCodec.options(vertx, new DeliveryOptions());
      return vertx.eventBus().<Object>consumer(ADDRESS, msg -> {
        long id = nextId;
        nextId += step;
        answered.set((int) id);
        msg.reply(new JsonObject().put("ids", new JsonArray().add(id)).put("stored", 1).put("ignored", 0), answers);
      }).completion();
    }

    @Override
    public Future<?> stop() {
      tally.add(answered, 0);
      return Future.succeededFuture();
    }
  }
}
