package dev.spark.stream;

import dev.spark.event.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;

/**
 * One Server-Sent Events client. Each event goes out once, in id order, as {@code id: <event id>}
 * plus one {@code data:} line of JSON. While the replay of older events runs, live events are held
 * back and sent after it, skipping any the replay already sent.
 */
final class SseConnection {
  /** Live events held back during a replay before the client is judged too far behind. */
  private static final int MAX_HELD = 50_000;

  final String id;
  final boolean observer;
  private final HttpServerResponse response;
  private final Runnable onClose;
  private long lastSentId;
  private List<StoredEvent> held = new ArrayList<>();
  private boolean closed;

  SseConnection(String id, boolean observer, HttpServerResponse response, long lastSentId, Runnable onClose) {
    this.id = id;
    this.observer = observer;
    this.response = response;
    this.lastSentId = lastSentId;
    this.onClose = onClose;
    response.closeHandler(v -> closed());
    response.exceptionHandler(e -> closed());
  }

  long lastSentId() {
    return lastSentId;
  }

  void rewind(long to) {
    lastSentId = to;
  }

  boolean isClosed() {
    return closed;
  }

  /** Live events: sent now, or held while a replay is still running. A client that cannot keep up is dropped. */
  void offer(List<StoredEvent> events) {
    if (closed) return;
    if (held != null) {
      held.addAll(events);
      if (held.size() > MAX_HELD) drop();
      return;
    }
    if (response.writeQueueFull()) {
      drop();
      return;
    }
    write(events);
  }

  /** Replayed events: written with back-pressure (waits for the client to drain, never drops it). */
  Future<Void> replay(List<StoredEvent> events) {
    write(events);
    if (closed || !response.writeQueueFull()) return Future.succeededFuture();
    Promise<Void> writable = Promise.promise();
    response.drainHandler(v -> writable.tryComplete());
    return writable.future();
  }

  /** The replay is done: send what was held back, and go live. */
  void live() {
    List<StoredEvent> pending = held;
    held = null;
    if (pending != null && !closed) offer(pending);
  }

  void comment(String text) {
    if (closed) return;
    if (response.writeQueueFull()) {
      drop();
      return;
    }
    response.write(": " + text + "\n\n");
  }

  private void write(List<StoredEvent> events) {
    if (closed) return;
    StringBuilder out = new StringBuilder();
    for (StoredEvent e : events) {
      if (e.id() <= lastSentId) continue;
      out.append("id: ").append(e.id()).append("\ndata: ").append(e.encode()).append("\n\n");
      lastSentId = e.id();
    }
    if (out.length() > 0) response.write(out.toString());
  }

  /** Too slow or too far behind: cut the link. The client can come back with Last-Event-ID. */
  private void drop() {
    if (closed) return;
    response.reset();
    closed();
  }

  void end() {
    if (closed) return;
    response.end();
    closed();
  }

  private void closed() {
    if (closed) return;
    closed = true;
    held = null;
    onClose.run();
  }
}
