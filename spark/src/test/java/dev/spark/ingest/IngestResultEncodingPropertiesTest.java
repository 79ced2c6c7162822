package dev.spark.ingest;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ingest answer written directly is the text Jackson writes for {@link IngestResult#toJson()}, character for character. */
class IngestResultEncodingPropertiesTest {

  @Property(tries = 2_000)
  void encodedAsJacksonEncodesIt(@ForAll("ids") List<Long> ids, @ForAll boolean batch, @ForAll boolean someIgnored) {
    Long[] array = ids.toArray(new Long[0]);
    List<List<String>> ignored = null;
    if (someIgnored) {
      ignored = new ArrayList<>(Collections.nCopies(array.length, List.of()));
      ignored.set(0, List.of("extra", "\"quoted\" \u2028 \u0001"));
    }
    IngestResult result = new IngestResult(array, ignored, batch);
    assertEquals(result.toJson().encode(), result.encode());
  }

  @Provide
  Arbitrary<List<Long>> ids() {
    Arbitrary<Long> id = Arbitraries.oneOf(Arbitraries.longs(), Arbitraries.longs().between(0, 10_000), Arbitraries.just(null));
    return id.injectNull(0).list().ofMinSize(1).ofMaxSize(120);
  }
}
