package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;

import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * E-mail over SMTP: a connection per delivery (alerts are rare; no pool to go stale), TLS from the
 * start ({@code security: tls}) or by STARTTLS ({@code starttls}: required, never silently skipped),
 * AUTH when a user name is set, then the plain-text message of {@link MailText}.
 */
final class EmailTarget implements TargetClient {
  private final AlertTarget target;
  private final long timeoutMs;
  private final NetClient net;

  EmailTarget(Vertx vertx, AlertTarget target, long timeoutMs) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs))
        .setHostnameVerificationAlgorithm("HTTPS"));
  }

  @Override
  public Future<Attempt> send(Delivery delivery) {
    String message = MailText.message(delivery, target.from(), target.to());
    ConnectOptions options = new ConnectOptions().setHost(target.host()).setPort(target.port())
        .setSsl(target.security().equals("tls"));
    return net.connect(options)
        .compose(socket -> {
          SmtpSession s = new SmtpSession(socket);
          return s.reply("the greeting", 2)
              .compose(r -> s.hello())
              .compose(ehlo -> {
                if (!target.security().equals("starttls")) return Future.succeededFuture(ehlo);
                if (!ehlo.has("STARTTLS")) {
                  return Future.failedFuture(new SmtpSession.SmtpException("STARTTLS (required by security: starttls)",
                      new SmtpSession.Reply(554, List.of("the server does not offer it"))));
                }
                return s.startTls(target.host()).compose(v -> s.hello());
              })
              .compose(ehlo -> target.username().isEmpty() ? Future.succeededFuture(ehlo) : s.login(ehlo, target.username(), target.password()))
              .compose(r -> s.send(target.from(), target.to(), message))
              .compose(r -> s.quit().recover(e -> Future.succeededFuture()))
              .onFailure(e -> socket.close());
        })
        .map(v -> Attempt.ok())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture(outcome(e)));
  }

  private Attempt outcome(Throwable e) {
    String where = " (SMTP " + target.host() + ":" + target.port() + ")";
    if (e instanceof SmtpSession.SmtpException se) {
      return se.code >= 500 ? Attempt.fail(se.getMessage() + where) : Attempt.retry(se.getMessage() + where);
    }
    if (e instanceof TimeoutException) return Attempt.retry("no answer in time" + where);
    return Attempt.retry(e.getClass().getSimpleName() + ": " + e.getMessage() + where);
  }
}
