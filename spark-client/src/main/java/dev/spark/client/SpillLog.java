package dev.spark.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The {@link SendBuffer}'s copy on disk: an append-only log in one file, {@value #FILE}, one record a
 * line, {@code <crc32 hex> <json>}: a kept send ({@code {"seq","address","items","body"}}) or the end of
 * one ({@code {"done": seq}}: sent, refused or dropped). Reading it back gives the sends still kept, in
 * order; a line whose checksum does not match (the tail a crash cut mid-write, or a damaged line) is
 * skipped, and every whole line before and after it still counts. Opening rewrites the file with only
 * what is still kept, so nothing is ever appended after a partial line. Written to the operating
 * system, not forced to the disk: it survives the application's crash or restart, not the host's.
 * A lock on {@value #LOCK} keeps a second client (in this JVM or another) off the same directory.
 * Not thread-safe: the buffer calls it under its own monitor.
 */
final class SpillLog implements AutoCloseable {
  static final String FILE = "spark-client-buffer.log";
  static final String LOCK = "spark-client-buffer.lock";

  private final Path file;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private FileChannel out;
  private long size;

  private SpillLog(Path file, FileChannel lockChannel, FileLock lock) {
    this.file = file;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Locks {@code dir} for this client and reads back what it kept; fails if another client holds it. */
  static SpillLog open(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      lockChannel.close();
      throw new IllegalStateException("Another SparkClient uses the buffer directory " + dir + "; give each client its own");
    }
    return new SpillLog(dir.resolve(FILE), lockChannel, lock);
  }

  /** The sends the file still holds, oldest first, and the file rewritten with only those. */
  List<SendBuffer.Item> recover() throws IOException {
    TreeMap<Long, SendBuffer.Item> kept = new TreeMap<>();
    if (Files.exists(file)) {
      for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1)) {
        JsonObject record = parse(line);
        if (record == null) continue;
        if (record.containsKey("done")) {
          kept.remove(record.getLong("done"));
        } else {
          Object body = record.getValue("body");
          if (!(body instanceof JsonObject) && !(body instanceof JsonArray)) continue;
          long seq = record.getLong("seq");
          kept.put(seq, new SendBuffer.Item(seq, record.getString("address"), body, record.getInteger("items"), bytes(body), null));
        }
      }
    }
    List<SendBuffer.Item> items = new ArrayList<>(kept.values());
    rewrite(items);
    return items;
  }

  /** Appends a kept send. */
  void added(SendBuffer.Item item) throws IOException {
    append(record(item));
  }

  private static JsonObject record(SendBuffer.Item item) {
    return new JsonObject().put("seq", item.seq()).put("address", item.address()).put("items", item.items()).put("body", item.body());
  }

  /** Appends the end of a kept send. */
  void done(long seq) throws IOException {
    append(new JsonObject().put("done", seq));
  }

  /** Bytes in the file now. */
  long size() {
    return size;
  }

  /** Replaces the file with one holding only {@code items} (a new file renamed over the old one). */
  void rewrite(Collection<SendBuffer.Item> items) throws IOException {
    if (out != null) out.close();
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      for (SendBuffer.Item item : items) write(ch, line(record(item)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    size = out.size();
  }

  private void append(JsonObject record) throws IOException {
    size += write(out, line(record));
  }

  private static int write(FileChannel ch, byte[] bytes) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    while (buf.hasRemaining()) ch.write(buf);
    return bytes.length;
  }

  static byte[] line(JsonObject record) {
    byte[] json = record.encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(json);
    byte[] prefix = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[prefix.length + json.length + 1];
    System.arraycopy(prefix, 0, line, 0, prefix.length);
    System.arraycopy(json, 0, line, prefix.length, json.length);
    line[line.length - 1] = '\n';
    return line;
  }

  /** The record on {@code line}, or null when it is not one whole, intact record. */
  private static JsonObject parse(String line) {
    if (line.length() < 10 || line.charAt(8) != ' ') return null;
    byte[] json = line.substring(9).getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(json);
    if (!String.format("%08x", crc.getValue()).equals(line.substring(0, 8))) return null;
    try {
      return new JsonObject(line.substring(9));
    } catch (RuntimeException e) {
      return null;
    }
  }

  static long bytes(Object body) {
    return body instanceof JsonObject o ? o.toBuffer().length() : body instanceof JsonArray a ? a.toBuffer().length() : 0;
  }

  @Override
  public void close() throws IOException {
    try {
      if (out != null) out.close();
    } finally {
      lock.release();
      lockChannel.close();
    }
  }
}
