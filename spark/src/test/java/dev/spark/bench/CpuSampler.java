package dev.spark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A cheap profile: CPU time per thread group over one workload (ThreadMXBean), reported as cores
 * busy on average. What no Java thread accounts for (GC, JIT compiler) comes from the process CPU time.
 */
final class CpuSampler {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final com.sun.management.ThreadMXBean ALLOC = (com.sun.management.ThreadMXBean) THREADS;
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Set<Long> clientThreads;
  private Map<Long, Long> before;
  private Map<Long, Long> allocBefore;
  private long processBefore;
  private long wallBefore;
  private long[] machineBefore;
  /** Cores other processes kept busy on average during the run (-1 when /proc/stat is unreadable). */
  double otherProcesses = -1;
  /** After {@link #stop()}: CPU nanoseconds of the SQLite writer thread, and of this JVM minus the load generator's event loops. */
  long writerNanos;
  long serverNanos;
  /**
   * After {@link #stop()}: bytes allocated on the heap by this JVM's threads except the load
   * generator's event loops and the bench main thread (ThreadMXBean#getThreadAllocatedBytes; a thread
   * that ended during the run is not counted). Unlike rates this hardly depends on other processes.
   */
  long serverAllocatedBytes;
  /** After {@link #stop()}: CPU nanoseconds per thread group, in the order {@link #stop()} prints them. */
  Map<String, Long> groupNanos = Map.of();

  CpuSampler(Set<Long> clientThreads) {
    this.clientThreads = clientThreads;
  }

  void start() {
    before = snapshot();
    allocBefore = allocations();
    processBefore = OS.getProcessCpuTime();
    wallBefore = System.nanoTime();
    machineBefore = machineTicks();
  }

  /** From /proc/stat: {busy ticks, all ticks} of the whole machine; null elsewhere. */
  static long[] machineTicks() {
    try {
      String cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      long busy = 0;
      long all = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        long v = Long.parseLong(f[i]);
        all += v;
        if (i != 4 && i != 5) busy += v; // not idle, not iowait
      }
      return new long[] {busy, all};
    } catch (Exception e) {
      return null;
    }
  }

  /**
   * Waits (up to {@code maxSeconds}) until other processes keep less than 0.15 cores busy over two
   * consecutive half-second windows; returns what they used in the last window.
   */
  static double waitForQuiet(double maxSeconds) {
    long until = System.nanoTime() + (long) (maxSeconds * 1e9);
    int quietWindows = 0;
    double other = Double.NaN;
    boolean told = false;
    while (true) {
      long[] before = machineTicks();
      long ownBefore = OS.getProcessCpuTime();
      long t0 = System.nanoTime();
      Bench.sleep(500);
      double machine = machineCores(before, machineTicks());
      if (Double.isNaN(machine)) return Double.NaN;
      other = Math.max(0, machine - (OS.getProcessCpuTime() - ownBefore) / (double) (System.nanoTime() - t0));
      quietWindows = other < 0.15 ? quietWindows + 1 : 0;
      if (quietWindows >= 2 || System.nanoTime() > until) break;
      if (!told) {
        System.out.printf(Locale.ROOT, "      (other processes are using %.2f cores; waiting up to %.0f s for a quiet machine)%n", other, maxSeconds);
        told = true;
      }
    }
    if (told) System.out.printf(Locale.ROOT, "      (%s)%n", quietWindows >= 2 ? "quiet now" : String.format(Locale.ROOT, "still %.2f cores busy; running anyway", other));
    return other;
  }

  /** Cores busy on the whole machine (all processes) between two {@link #machineTicks()} readings. */
  static double machineCores(long[] before, long[] after) {
    if (before == null || after == null || after[1] == before[1]) return Double.NaN;
    return (after[0] - before[0]) / (double) (after[1] - before[1]) * Runtime.getRuntime().availableProcessors();
  }

  /** Cores busy per group, in a fixed order, e.g. "server event loops 1.10, sqlite writer 0.62, ...". */
  String stop() {
    long wall = System.nanoTime() - wallBefore;
    long process = OS.getProcessCpuTime() - processBefore;
    double machine = machineCores(machineBefore, machineTicks());
    if (!Double.isNaN(machine)) otherProcesses = Math.max(0, machine - process / (double) wall);
    Map<Long, Long> after = snapshot();
    Map<Long, Long> allocAfter = allocations();
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : new String[] {"server event loops", "sqlite writer", "vert.x workers", "client event loops", "bench main", "other threads"}) {
      groups.put(g, 0L);
    }
    long threadsTotal = 0;
    ThreadInfo[] infos = THREADS.getThreadInfo(after.keySet().stream().mapToLong(Long::longValue).toArray());
    for (ThreadInfo info : infos) {
      if (info == null) continue;
      long id = info.getThreadId();
      String g = group(id, info.getThreadName());
      if (!g.equals("client event loops") && !g.equals("bench main")) {
        serverAllocatedBytes += Math.max(0, allocAfter.getOrDefault(id, 0L) - allocBefore.getOrDefault(id, 0L));
      }
      long delta = after.get(id) - before.getOrDefault(id, 0L);
      if (delta <= 0) continue;
      threadsTotal += delta;
      groups.merge(g, delta, Long::sum);
    }
    groups.put("GC+JIT+other JVM", Math.max(0, process - threadsTotal));
    writerNanos = groups.get("sqlite writer");
    serverNanos = process - groups.get("client event loops") - groups.get("bench main");
    groupNanos = groups;
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "total %.2f:", process / (double) wall));
    for (Map.Entry<String, Long> e : groups.entrySet()) {
      double cores = e.getValue() / (double) wall;
      if (cores >= 0.005) out.append(String.format(Locale.ROOT, " %s %.2f,", e.getKey(), cores));
    }
    out.setLength(out.length() - 1);
    if (otherProcesses >= 0) out.append(String.format(Locale.ROOT, "; other processes %.2f", otherProcesses));
    return out.toString();
  }

  private String group(long id, String name) {
    if (clientThreads.contains(id)) return "client event loops";
    if (name.startsWith("spark-sqlite-writer")) return "sqlite writer";
    if (name.startsWith("vert.x-eventloop-thread")) return "server event loops";
    if (name.startsWith("vert.x-worker") || name.startsWith("vert.x-internal-blocking")) return "vert.x workers";
    if (name.equals("main")) return "bench main";
    return "other threads";
  }

  private static Map<Long, Long> allocations() {
    Map<Long, Long> out = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    long[] bytes = ALLOC.getThreadAllocatedBytes(ids);
    for (int i = 0; i < ids.length; i++) if (bytes[i] >= 0) out.put(ids[i], bytes[i]);
    return out;
  }

  private static Map<Long, Long> snapshot() {
    Map<Long, Long> out = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu >= 0) out.put(id, cpu);
    }
    return out;
  }
}
