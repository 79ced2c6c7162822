package dev.spark.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;

/**
 * Checks a {@code caFile} at start-up, so a missing or broken file stops Spark with one line naming the
 * key instead of failing every delivery later.
 */
final class TrustedCertificates {
  private TrustedCertificates() {}

  /** Null when {@code path} is a readable file holding at least one PEM certificate; else what is wrong with it. */
  static String problem(String path) {
    Path file = Path.of(path);
    if (!Files.isRegularFile(file)) return Files.exists(file) ? "not a regular file" : "no such file";
    try {
      String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      if (!text.contains("-----BEGIN CERTIFICATE-----")) return "no -----BEGIN CERTIFICATE----- in it";
      try (InputStream in = Files.newInputStream(file)) {
        return CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty() ? "no certificate in it" : null;
      }
    } catch (NoSuchFileException e) {
      return "no such file";
    } catch (IOException e) {
      return "cannot read it (" + e.getMessage() + ")";
    } catch (CertificateException e) {
      return "not a valid certificate (" + e.getMessage() + ")";
    }
  }
}
