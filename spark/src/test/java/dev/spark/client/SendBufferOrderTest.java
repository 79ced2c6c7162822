package dev.spark.client;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A send that fails in flight comes back to the buffer after sends made later were kept: it is older
 * than them, so over the bound it is the one dropped, and the newest sends are the ones kept.
 */
@ExtendWith(VertxExtension.class)
class SendBufferOrderTest {

  @Test
  void aLateFailureTakesItsPlaceByAgeNotAtTheEnd(Vertx vertx) {
    SendBuffer buffer = new SendBuffer(vertx, new DeliveryOptions(),
        new SparkClientOptions().setBufferLimit(3, 1L << 20).setRetryDelays(60_000, 60_000), (n, why) -> {});
    List<Long> dropped = new ArrayList<>();
    for (long seq : new long[] {10, 11, 12, 1, 13}) {
      buffer.add(new SendBuffer.Item(seq, "nobody.listens", new JsonObject().put("seq", seq), 1, 10,
          (n, why) -> dropped.add(seq)));
    }
    assertEquals(List.of(1L, 10L), dropped, "the failure made first (1) is older than 10, 11 and 12; then 10 makes room for 13");
    assertEquals(3, buffer.buffered());
  }
}
