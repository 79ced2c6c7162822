package dev.spark.bench;

import java.util.BitSet;

/** A ceiling run's server: Vert.x alone, storing nothing; stopped after the load, then its answers checked. */
interface BareServer {
  /** Stops it; every instance has added what it answered to its tally when this returns. */
  void stop();

  /** What the run's table says of it. */
  String note();

  /** The ids the client counted against the ids it answered. */
  RunStats.Verification verify(BitSet acked);
}
