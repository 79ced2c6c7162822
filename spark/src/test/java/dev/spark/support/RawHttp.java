package dev.spark.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** HTTP/1.1 over a plain socket, for requests no client library would send (any Host, broken framing, odd request lines). */
public final class RawHttp {
  /** An answer: status, headers (names lower-cased), body bytes. */
  public record Answer(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + text();
    }
  }

  private RawHttp() {}

  /** Sends {@code request} as is on a new connection and reads one answer (10 s at most). */
  public static Answer exchange(int port, byte[] request) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      return read(s.getInputStream(), false);
    }
  }

  public static Answer exchange(int port, String request) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** {@code METHOD target} with the given Host and extra header lines, a body (may be empty), Connection: close. */
  public static String request(String method, String target, String host, String headers, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
        + (bytes.length > 0 || method.equals("POST") ? "Content-Length: " + bytes.length + "\r\n" : "")
        + "Connection: close\r\n\r\n" + new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** Reads one answer from {@code in}; a HEAD answer has no body whatever its Content-Length says. */
  public static Answer read(InputStream in, boolean head) throws IOException {
    ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) throw new IOException("connection closed before an answer (" + headBytes.size() + " bytes of head)");
      headBytes.write(b);
      state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    if (head) return new Answer(status, headers, new byte[0]);
    String length = headers.get("content-length");
    byte[] body;
    if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = new byte[0]; // not needed by the tests that use this
    } else {
      body = in.readAllBytes();
    }
    return new Answer(status, headers, body);
  }
}
