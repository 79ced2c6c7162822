package dev.spark.config;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * How much heap Spark needs to ride out a flood with its queue bounds (README, "Memory"): the
 * storage queue, the ingest bodies in flight parsed (about four times their bytes), and about 96 MB
 * for everything else, as {@code OverloadIT} measured. Below that a flood can end in an
 * OutOfMemoryError instead of 503s, so Spark says so when it starts.
 */
public final class HeapAdvice {
  static final long BASE_BYTES = 96L << 20;

  private HeapAdvice() {}

  /**
   * The heap the JVM was given ({@code -Xmx}, the {@code MaxHeapSize} flag). {@link Runtime#maxMemory}
   * reports less (the serial collector leaves out a survivor space: 154 MB for -Xmx160m), so it is only
   * the fallback on a JVM without HotSpot's diagnostic bean.
   */
  public static long maxHeapBytes() {
    try {
      HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (hotSpot != null) return Long.parseLong(hotSpot.getVMOption("MaxHeapSize").getValue());
    } catch (RuntimeException notHotSpot) {
      // fall through
    }
    return Runtime.getRuntime().maxMemory();
  }

  public static long neededBytes(SparkConfig cfg) {
    return cfg.storage().queueMaxBytes() + 4 * cfg.ingest().maxInFlightBytes() + BASE_BYTES;
  }

  /** A warning when {@code maxHeapBytes} (the JVM's -Xmx) is below what the bounds need; else null. */
  public static String warning(SparkConfig cfg, long maxHeapBytes) {
    long needed = neededBytes(cfg);
    if (maxHeapBytes >= needed) return null;
    return String.format("The JVM's heap (-Xmx) is %d MB; with storage.queueMaxBytes %d MB and ingest.maxInFlightBytes %d MB "
            + "a flood can take about %d MB before Spark refuses with 503s. Give it -Xmx%dm or more, or lower those bounds "
            + "(README, Memory)", mb(maxHeapBytes), mb(cfg.storage().queueMaxBytes()), mb(cfg.ingest().maxInFlightBytes()),
        mb(needed), (needed + (1 << 20) - 1) >> 20);
  }

  private static long mb(long bytes) {
    return bytes >> 20;
  }
}
