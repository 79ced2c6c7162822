package dev.spark.alerts;

import dev.spark.config.AlertTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;

import java.security.cert.CertificateException;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * E-mail over SMTP: a connection per delivery (alerts are rare; no pool to go stale), TLS from the
 * start ({@code security: tls}) or by STARTTLS ({@code starttls}: required, never silently skipped),
 * AUTH when a user name is set, then the plain-text message of {@link MailText}. The server's certificate
 * must chain to a certificate of the target's {@code caFile} when it has one, else to the JVM's trust
 * store ({@code javax.net.ssl.trustStore}), and name the host: nothing is ever trusted blindly, and a
 * certificate that is not trusted is a final failure (recorded; the message is never sent in the clear).
 */
final class EmailTarget implements TargetClient {
  private final AlertTarget target;
  private final long timeoutMs;
  private final NetClient net;
  private final ClientSSLOptions tls;

  EmailTarget(Vertx vertx, AlertTarget target, long timeoutMs) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.net = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)));
    // Given to each connection and upgrade explicitly: a NetClient made without SSL has none of its own to upgrade with.
    this.tls = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS")
        .setSslHandshakeTimeout(timeoutMs).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (!target.caFile().isEmpty()) tls.setTrustOptions(new PemTrustOptions().addCertPath(target.caFile()));
  }

  @Override
  public Future<Attempt> send(Delivery delivery) {
    String message = MailText.message(delivery, target.from(), target.to());
    ConnectOptions options = new ConnectOptions().setHost(target.host()).setPort(target.port())
        .setSsl(target.security().equals("tls")).setSslOptions(tls);
    // SMTPS names the server it wants (SNI), as STARTTLS does through upgradeToSsl; never an IP address (RFC 6066).
    if (target.security().equals("tls") && !ipLiteral(target.host())) options.setSniServerName(target.host());
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
                return s.startTls(tls, target.host()).compose(v -> s.hello());
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

  static boolean ipLiteral(String host) {
    return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
  }

  /** What is wrong with the server's certificate when the TLS handshake failed over it (not trusted, wrong host name), else null. */
  static String untrusted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CertificateException) {
        String m = String.valueOf(t.getMessage());
        return m.contains("unable to find valid certification path") ? "no trusted certificate chain to it" : m;
      }
    }
    return null;
  }

  private Attempt outcome(Throwable e) {
    String where = " (SMTP " + target.host() + ":" + target.port() + ")";
    if (e instanceof SmtpSession.SmtpException se) {
      return se.code >= 500 ? Attempt.fail(se.getMessage() + where) : Attempt.retry(se.getMessage() + where);
    }
    if (e instanceof TimeoutException) return Attempt.retry("no answer in time" + where);
    String untrusted = untrusted(e);
    if (untrusted != null) {
      return Attempt.fail("the SMTP server's certificate is not trusted (" + untrusted + ")" + where + "; trust its CA with the target's "
          + "caFile" + (target.caFile().isEmpty() ? " or the JVM's trust store" : " (" + target.caFile() + ")"));
    }
    return Attempt.retry(e.getClass().getSimpleName() + ": " + e.getMessage() + where);
  }
}
