package dev.spark.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * An SSE subscriber that sends its request and never reads a byte: a plain socket with the smallest
 * receive buffer the OS allows, so the server's writes back up as soon as its own send buffer is
 * full. {@link #cutByServer} reads afterwards to tell whether the server closed or reset it.
 */
public final class NeverReadingSse implements AutoCloseable {
  private final Socket socket;

  private NeverReadingSse(Socket socket) {
    this.socket = socket;
  }

  public static NeverReadingSse open(int port, String token, String query) throws IOException {
    Socket s = new Socket();
    s.setReceiveBufferSize(1024); // before connect, so the TCP window is negotiated small
    s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    String request = "GET /api/v1/stream" + (query == null ? "" : "?" + query) + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token + "\r\nAccept: text/event-stream\r\n\r\n";
    s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return new NeverReadingSse(s);
  }

  /**
   * Now reads (what was buffered, then the end): true when the server ended or reset the
   * connection within {@code timeoutMs}, false when it is still open and silent that long.
   */
  public boolean cutByServer(long timeoutMs) throws IOException {
    socket.setSoTimeout((int) timeoutMs);
    byte[] buf = new byte[65536];
    InputStream in = socket.getInputStream();
    try {
      while (in.read(buf) >= 0) {
        // drain what the kernel held for us
      }
      return true; // orderly end
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true; // "Connection reset": the server cut it
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
