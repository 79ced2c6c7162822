package dev.spark.client;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What Spark could not take yet (nobody listening, no answer in time, refused with 503), kept in order
 * within a bound in items and bytes and sent again with backoff until Spark answers. Whatever goes over
 * the bound drops the oldest first, counted ({@link #dropped()}) and logged. Never blocks: adding is a
 * few operations under this object's monitor, sending happens on Vert.x timers and replies.
 * While anything is kept, new sends queue behind it, so Spark gets them in the order they were made.
 * With a buffer directory, everything kept is also in a {@link SpillLog} there, and what a previous
 * run of the application left in it is kept again (and sent) when the buffer is made.
 */
final class SendBuffer {
  private static final Logger LOG = Logger.getLogger(SendBuffer.class.getName());
  private static final long WARN_EVERY_MS = 60_000;
  /** Sends in flight at once while draining. */
  private static final int WINDOW = 64;
  /** The buffer file may grow this much (bytes) past twice what it keeps before it is rewritten. */
  private static final long COMPACT_SLACK = 1L << 20;

  /**
   * One kept send; {@code seq} is when it was made (a send that failed in flight is older than sends
   * kept meanwhile, so it goes back to its place, not to the end); {@code onDropped} is told (with the
   * reason) if it is dropped.
   */
  record Item(long seq, String address, Object body, int items, long bytes, BiConsumer<Integer, Throwable> onDropped) {}

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  private final int maxItems;
  private final long maxBytes;
  private final long initialBackoffMs;
  private final long maxBackoffMs;
  /** Kept sends by {@link Item#seq}, oldest first. */
  private final TreeMap<Long, Item> queue = new TreeMap<>();
  private long items;
  private long bytes;
  private boolean draining;
  private long backoffMs;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong lastWarning = new AtomicLong();
  /** Told about recovered items that are dropped (their own listener did not survive the restart). */
  private final BiConsumer<Integer, Throwable> recoveredDropped;
  /** The copy on disk, or null (none asked for, or given up after an I/O error). */
  private SpillLog log;
  private long lastSeq;
  private boolean closed;

  /**
   * With {@link SparkClientOptions#getBufferDirectory()} set, locks it and keeps again what it holds;
   * fails (IllegalStateException) when another client holds it or it cannot be read.
   */
  SendBuffer(Vertx vertx, DeliveryOptions delivery, SparkClientOptions options, BiConsumer<Integer, Throwable> recoveredDropped) {
    this.vertx = vertx;
    this.delivery = delivery;
    this.maxItems = options.getBufferEvents();
    this.maxBytes = options.getBufferBytes();
    this.initialBackoffMs = options.getRetryInitialDelayMs();
    this.maxBackoffMs = options.getRetryMaxDelayMs();
    this.backoffMs = initialBackoffMs;
    this.recoveredDropped = recoveredDropped;
    if (options.getBufferDirectory() != null) recover(options.getBufferDirectory());
  }

  private void recover(Path dir) {
    List<Item> recovered;
    try {
      log = SpillLog.open(dir);
      recovered = log.recover();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot use the buffer directory " + dir + ": " + e, e);
    }
    if (recovered.isEmpty()) return;
    lastSeq = recovered.get(recovered.size() - 1).seq();
    LOG.info("SparkClient: " + recovered.size() + " send(s) kept in " + dir + " before a restart; sending them once Spark answers");
    // Already in the file: kept again without writing them twice.
    keep(recovered.stream().map(i -> new Item(i.seq(), i.address(), i.body(), i.items(), i.bytes(), recoveredDropped)).toList(), false);
  }

  /** The highest sequence number kept on disk by a previous run (0 if none): new sends number from there. */
  long lastSeq() {
    return lastSeq;
  }

  /** Whether a failed send may be sent again: Spark surely did not store it, or it carries an eventId. */
  static boolean retriable(Throwable cause, boolean idempotent) {
    if (!(cause instanceof ReplyException re)) return false;
    if (re.failureType() == ReplyFailure.NO_HANDLERS) return true;
    if (re.failureType() == ReplyFailure.RECIPIENT_FAILURE) return re.failureCode() == 503;
    return re.failureType() == ReplyFailure.TIMEOUT && idempotent;
  }

  boolean isEmpty() {
    synchronized (this) {
      return queue.isEmpty();
    }
  }

  /**
   * Keeps {@code item} (dropping the oldest over the bound) and makes sure a drain is scheduled; false,
   * keeping nothing, once the buffer is closed.
   */
  boolean add(Item item) {
    return keep(List.of(item), true);
  }

  private boolean keep(List<Item> kept, boolean spill) {
    List<Item> overflow = new ArrayList<>();
    boolean schedule;
    synchronized (this) {
      if (closed) return false;
      for (Item item : kept) {
        queue.put(item.seq(), item);
        items += item.items();
        bytes += item.bytes();
        if (spill) spill(l -> l.added(item));
      }
      while (!queue.isEmpty() && (items > maxItems || bytes > maxBytes)) overflow.add(removeFirst());
      schedule = !draining && !queue.isEmpty();
      if (schedule) draining = true;
    }
    for (Item o : overflow) drop(o);
    if (schedule) vertx.setTimer(backoffMs, t -> drain());
    return true;
  }

  /** Items kept now (an access batch counts its entries). */
  synchronized long buffered() {
    return items;
  }

  long dropped() {
    return dropped.get();
  }

  private Item removeFirst() {
    Item first = queue.pollFirstEntry().getValue();
    removed(first);
    return first;
  }

  /** Called under this monitor once {@code item} has left the queue: the counts, and its end on disk. */
  private void removed(Item item) {
    items -= item.items();
    bytes -= item.bytes();
    if (log == null) return;
    // An empty buffer empties the file; otherwise the file is rewritten once it holds more ends than sends.
    if (queue.isEmpty()) spill(l -> l.rewrite(List.of()));
    else if (log.size() > 2 * bytes + COMPACT_SLACK) spill(l -> l.rewrite(queue.values()));
    else spill(l -> l.done(item.seq()));
  }

  private interface LogWrite {
    void apply(SpillLog log) throws IOException;
  }

  /** Writes to the log; on an I/O error (a full disk) keeps going in memory only, and says so once. */
  private void spill(LogWrite write) {
    if (log == null) return;
    try {
      write.apply(log);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "SparkClient: cannot write the buffer directory any more; keeping sends in memory only", e);
      try {
        log.close();
      } catch (IOException ignored) {
        // already failing
      }
      log = null;
    }
  }

  /** Stops sending; what is kept stays in the buffer directory for the next run. */
  void close() {
    synchronized (this) {
      closed = true;
      if (log == null) return;
      try {
        log.close();
      } catch (IOException e) {
        LOG.log(Level.WARNING, "SparkClient: closing the buffer directory failed", e);
      }
      log = null;
    }
  }

  private void drop(Item item) {
    long total = dropped.addAndGet(item.items());
    long now = System.currentTimeMillis();
    long last = lastWarning.get();
    String message = "SparkClient buffer full (" + maxItems + " events / " + maxBytes + " bytes): dropped the oldest "
        + item.items() + " item(s); " + total + " dropped so far";
    if (now - last >= WARN_EVERY_MS && lastWarning.compareAndSet(last, now)) LOG.warning(message + " (logged at FINE for a minute)");
    else LOG.fine(message);
    item.onDropped().accept(item.items(), new IllegalStateException(message));
  }

  /** Sends the oldest items (up to WINDOW); on success goes on, on a retriable failure waits and tries again. */
  private void drain() {
    List<Item> batch = new ArrayList<>();
    synchronized (this) {
      if (closed) return;
      for (Item i : queue.values()) {
        if (batch.size() == WINDOW) break;
        batch.add(i);
      }
      if (batch.isEmpty()) {
        draining = false;
        backoffMs = initialBackoffMs;
        return;
      }
    }
    AtomicLong pending = new AtomicLong(batch.size());
    boolean[] retry = new boolean[1];
    for (Item item : batch) {
      vertx.eventBus().request(item.address(), item.body(), delivery).onComplete(ar -> {
        boolean again = ar.failed() && retriable(ar.cause(), idempotent(item));
        synchronized (this) {
          if (again) {
            retry[0] = true;
          } else if (queue.remove(item.seq(), item)) {
            removed(item);
          }
        }
        if (ar.failed() && !again) item.onDropped().accept(item.items(), ar.cause());
        if (pending.decrementAndGet() == 0) afterRound(retry[0]);
      });
    }
  }

  private void afterRound(boolean failed) {
    long delay;
    synchronized (this) {
      delay = failed ? backoffMs : 0;
      backoffMs = failed ? Math.min(maxBackoffMs, backoffMs * 2) : initialBackoffMs;
    }
    if (delay == 0) vertx.runOnContext(v -> drain());
    else vertx.setTimer(delay, t -> drain());
  }

  static boolean idempotent(Item item) {
    return SparkClient.hasEventId(item.body());
  }
}
