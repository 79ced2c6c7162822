package dev.spark.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ServerUrlTest {

  @Test
  void aWildcardIpv4BindAddressMeansThisMachine() {
    assertEquals("http://127.0.0.1:8080", ServerUrl.of("0.0.0.0", 8080));
  }

  @Test
  void aWildcardIpv6BindAddressMeansThisMachineOverIpv6() {
    for (String host : new String[] {"::", "[::]", "0:0:0:0:0:0:0:0", "::0"}) {
      assertEquals("http://[::1]:4000", ServerUrl.of(host, 4000), host);
    }
  }

  @Test
  void ipv6LiteralsAreBracketedOnce() {
    assertEquals("http://[::1]:8080", ServerUrl.of("::1", 8080));
    assertEquals("http://[::1]:8080", ServerUrl.of("[::1]", 8080));
    assertEquals("http://[fe80::1]:8080", ServerUrl.of("fe80::1", 8080));
    assertEquals("http://[2001:db8::7]:9", ServerUrl.of("2001:db8::7", 9));
  }

  @Test
  void namesAndIpv4AddressesStayAsTheyAre() {
    assertEquals("http://127.0.0.1:8080", ServerUrl.of("127.0.0.1", 8080));
    assertEquals("http://localhost:8080", ServerUrl.of("localhost", 8080));
    assertEquals("http://10.0.0.7:81", ServerUrl.of("10.0.0.7", 81));
    assertEquals("http://spark.internal:81", ServerUrl.of("spark.internal", 81));
  }

  @Test
  void readsHostAndPortOffTheConfiguration() {
    SparkConfig cfg = ConfigLoader.load(new JsonObject().put("web", new JsonObject().put("host", "::").put("port", 7345)), Map.of());
    assertEquals("http://[::1]:7345", ServerUrl.of(cfg.web()));
  }
}
