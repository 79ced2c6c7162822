package dev.spark.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of the JVM's own native threads, which {@link CpuSampler} can only report together as
 * "GC+JIT+other JVM": the garbage collector's ({@code GC Thread#n}, {@code G1 ...}) and the JIT
 * compilers' ({@code C1/C2 CompilerThread}), from {@code /proc/self/task} (Linux; clock ticks, so
 * 10 ms resolution at the usual 100 Hz). Zero elsewhere.
 */
final class JvmThreadsCpu {
  private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

  private JvmThreadsCpu() {}

  /** {GC nanoseconds, JIT nanoseconds} used so far by the threads alive now. */
  static long[] now() {
    long[] out = new long[2];
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path task : tasks) {
        try {
          String comm = Files.readString(task.resolve("comm")).trim();
          int kind = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? 0 : comm.contains("CompilerThre") ? 1 : -1;
          if (kind < 0) continue;
          String stat = Files.readString(task.resolve("stat"));
          // fields after the parenthesised name: state is field 3, utime 14, stime 15
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out[kind] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException | RuntimeException noProc) {
      return new long[2];
    }
    return out;
  }
}
