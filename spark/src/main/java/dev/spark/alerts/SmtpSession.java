package dev.spark.alerts;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * One SMTP conversation (RFC 5321) on an open socket, one command at a time: the greeting, EHLO,
 * STARTTLS when asked (then EHLO again, as the RFC requires), AUTH PLAIN or LOGIN, MAIL, RCPT, DATA,
 * QUIT. A reply outside the expected 2xx/3xx fails the future with an {@link SmtpException} that keeps
 * the code, so the caller tells a temporary refusal (4xx) from a final one (5xx).
 */
final class SmtpSession {
  record Reply(int code, List<String> lines) {
    boolean has(String capability) {
      for (String l : lines) if (l.toUpperCase(Locale.ROOT).startsWith(capability)) return true;
      return false;
    }

    String text() {
      return code + " " + String.join(" / ", lines);
    }
  }

  static final class SmtpException extends RuntimeException {
    final int code;

    SmtpException(String step, Reply reply) {
      super(step + " answered " + reply.text(), null, false, false);
      this.code = reply.code;
    }
  }

  private final NetSocket socket;
  private final ArrayDeque<Promise<Reply>> waiting = new ArrayDeque<>();
  private final List<String> lines = new ArrayList<>();
  private Throwable closed;

  SmtpSession(NetSocket socket) {
    this.socket = socket;
    socket.handler(RecordParser.newDelimited("\r\n", this::onLine));
    socket.exceptionHandler(this::fail);
    socket.closeHandler(v -> fail(new IllegalStateException("the SMTP server closed the connection")));
  }

  private void onLine(Buffer buffer) {
    String line = buffer.toString(StandardCharsets.UTF_8);
    if (line.length() < 3) return;
    lines.add(line.length() > 4 ? line.substring(4) : "");
    if (line.length() > 3 && line.charAt(3) == '-') return;
    int code;
    try {
      code = Integer.parseInt(line.substring(0, 3));
    } catch (NumberFormatException e) {
      code = 0;
    }
    Reply reply = new Reply(code, List.copyOf(lines));
    lines.clear();
    Promise<Reply> p = waiting.poll();
    if (p != null) p.tryComplete(reply);
  }

  private void fail(Throwable t) {
    if (closed == null) closed = t;
    Promise<Reply> p;
    while ((p = waiting.poll()) != null) p.tryFail(t);
  }

  /** Waits for the next reply and checks it is {@code expected} (its first digit). */
  Future<Reply> reply(String step, int expected) {
    if (closed != null) return Future.failedFuture(closed);
    Promise<Reply> p = Promise.promise();
    waiting.add(p);
    return p.future().compose(r -> r.code / 100 == expected ? Future.succeededFuture(r) : Future.failedFuture(new SmtpException(step, r)));
  }

  Future<Reply> command(String line, String step, int expected) {
    Future<Reply> answer = reply(step, expected);
    socket.write(line + "\r\n");
    return answer;
  }

  Future<Reply> hello() {
    return command("EHLO spark.alerts", "EHLO", 2);
  }

  Future<Void> startTls(ClientSSLOptions tls, String host) {
    return command("STARTTLS", "STARTTLS", 2).compose(r -> socket.upgradeToSsl(tls, host));
  }

  Future<Reply> login(Reply ehlo, String user, String password) {
    String auth = "";
    for (String l : ehlo.lines()) if (l.toUpperCase(Locale.ROOT).startsWith("AUTH")) auth = l.toUpperCase(Locale.ROOT);
    if (auth.contains("PLAIN") || !auth.contains("LOGIN")) {
      return command("AUTH PLAIN " + b64("\0" + user + "\0" + password), "AUTH PLAIN", 2);
    }
    return command("AUTH LOGIN", "AUTH LOGIN", 3)
        .compose(r -> command(b64(user), "AUTH LOGIN (user name)", 3))
        .compose(r -> command(b64(password), "AUTH LOGIN (password)", 2));
  }

  Future<Reply> send(String from, List<String> to, String message) {
    Future<Reply> f = command("MAIL FROM:<" + from + ">", "MAIL FROM", 2);
    for (String rcpt : to) f = f.compose(r -> command("RCPT TO:<" + rcpt + ">", "RCPT TO", 2));
    return f.compose(r -> command("DATA", "DATA", 3))
        .compose(r -> command(dotStuffed(message) + ".", "the message", 2));
  }

  Future<Void> quit() {
    return command("QUIT", "QUIT", 2).<Void>mapEmpty().eventually(socket::close);
  }

  /** A line starting with "." gets another (RFC 5321 4.5.2), so the message cannot end the DATA early. */
  static String dotStuffed(String message) {
    String normalized = message.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n");
    if (!normalized.endsWith("\r\n")) normalized += "\r\n";
    return (normalized.startsWith(".") ? "." : "") + normalized.replace("\r\n.", "\r\n..");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
