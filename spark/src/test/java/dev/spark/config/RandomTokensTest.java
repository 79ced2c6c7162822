package dev.spark.config;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomTokensTest {

  @Test
  void tokensAreUrlSafeOfTheAskedSizeAndDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String token = RandomTokens.token();
      assertEquals(32, token.length(), "24 bytes, Base64 without padding");
      assertTrue(token.matches("[A-Za-z0-9_-]+"), token);
      assertTrue(seen.add(token), "repeated: " + token);
    }
    assertEquals(43, RandomTokens.token(32).length());
  }
}
