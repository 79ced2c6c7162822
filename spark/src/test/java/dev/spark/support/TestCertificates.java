package dev.spark.support;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A self-signed certificate and its key as PEM files (what Python's ssl and Spark's {@code caFile} read),
 * made with the running JDK's own {@code keytool}, so no other tool is needed.
 */
public final class TestCertificates {
  private static final char[] PASS = "changeit".toCharArray();

  /** The certificate and the private key, PEM. */
  public record Pem(Path cert, Path key) {}

  private TestCertificates() {}

  /** A certificate for {@code san} (keytool's form: {@code ip:127.0.0.1}, {@code dns:mail.example.test}), valid two days. */
  public static Pem selfSigned(Path dir, String name, String san) throws Exception {
    Files.createDirectories(dir);
    Path store = dir.resolve(name + ".p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=" + name, "-ext", "SAN=" + san, "-validity", "2", "-storetype", "PKCS12", "-keystore", store.toString(),
        "-storepass", new String(PASS), "-keypass", new String(PASS)))
        .redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "keytool finished");
    assertEquals(0, p.exitValue(), "keytool: " + said);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, PASS);
    }
    Key key = ks.getKey(name, PASS);
    Certificate cert = ks.getCertificate(name);
    Pem pem = new Pem(dir.resolve(name + ".crt.pem"), dir.resolve(name + ".key.pem"));
    Files.writeString(pem.cert(), pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(pem.key(), pem("PRIVATE KEY", key.getEncoded()));  // PKCS#8
    return pem;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
