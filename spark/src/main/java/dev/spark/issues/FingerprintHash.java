package dev.spark.issues;

/**
 * 64-bit FNV-1a over the parts' characters, each part ended by a separator, then MurmurHash3's
 * finaliser to spread the bits. Not cryptographic: a fingerprint groups events, and a client that
 * wants two events in one issue can send the same fingerprint anyway.
 */
final class FingerprintHash {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private long h = 0xcbf29ce484222325L;

  FingerprintHash add(String part) {
    if (part != null) {
      for (int i = 0; i < part.length(); i++) {
        h ^= part.charAt(i);
        h *= 0x100000001b3L;
      }
    }
    h ^= 0x1F; // unit separator: ("ab", "c") and ("a", "bc") differ
    h *= 0x100000001b3L;
    return this;
  }

  String hex() {
    long x = h;
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    char[] out = new char[16];
    for (int i = 15; i >= 0; i--) {
      out[i] = HEX[(int) (x & 0xf)];
      x >>>= 4;
    }
    return new String(out);
  }
}
