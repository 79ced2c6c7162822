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
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final Set<Long> clientThreads;
  private Map<Long, Long> before;
  private long processBefore;
  private long wallBefore;

  CpuSampler(Set<Long> clientThreads) {
    this.clientThreads = clientThreads;
  }

  void start() {
    before = snapshot();
    processBefore = OS.getProcessCpuTime();
    wallBefore = System.nanoTime();
  }

  /** Cores busy per group, in a fixed order, e.g. "server event loops 1.10, sqlite writer 0.62, ...". */
  String stop() {
    long wall = System.nanoTime() - wallBefore;
    long process = OS.getProcessCpuTime() - processBefore;
    Map<Long, Long> after = snapshot();
    Map<String, Long> groups = new LinkedHashMap<>();
    for (String g : new String[] {"server event loops", "sqlite writer", "vert.x workers", "client event loops", "bench main", "other threads"}) {
      groups.put(g, 0L);
    }
    long threadsTotal = 0;
    ThreadInfo[] infos = THREADS.getThreadInfo(after.keySet().stream().mapToLong(Long::longValue).toArray());
    for (ThreadInfo info : infos) {
      if (info == null) continue;
      long id = info.getThreadId();
      long delta = after.get(id) - before.getOrDefault(id, 0L);
      if (delta <= 0) continue;
      threadsTotal += delta;
      groups.merge(group(id, info.getThreadName()), delta, Long::sum);
    }
    groups.put("GC+JIT+other JVM", Math.max(0, process - threadsTotal));
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "total %.2f:", process / (double) wall));
    for (Map.Entry<String, Long> e : groups.entrySet()) {
      double cores = e.getValue() / (double) wall;
      if (cores >= 0.005) out.append(String.format(Locale.ROOT, " %s %.2f,", e.getKey(), cores));
    }
    out.setLength(out.length() - 1);
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

  private static Map<Long, Long> snapshot() {
    Map<Long, Long> out = new HashMap<>();
    for (long id : THREADS.getAllThreadIds()) {
      long cpu = THREADS.getThreadCpuTime(id);
      if (cpu >= 0) out.put(id, cpu);
    }
    return out;
  }
}
