package dev.spark.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line options of {@link IngestBenchmark}: {@code --name=value}, all optional. */
final class BenchOptions {
  static final List<String> ALL_WORKLOADS = List.of("ref", "a", "b1", "b100", "c", "cs", "h", "hr", "hb", "d", "di", "s", "be", "bei", "e");

  double seconds = 10;          // duration of each throughput workload (a, b1, b100, c, h, d, s)
  double refSeconds = 4;        // duration of the one-row-per-transaction reference
  double warmupSeconds = 3;     // JVM warm-up per workload kind, on a throw-away database
  double leadInSeconds = 0;     // the same load on the workload's own Spark (or bare server) before its measured window
  double latencySeconds = 15;   // duration of the steady-rate SSE latency run (e)
  int latencyRate = 1_000;      // events per second in (e)
  int latencyConnections = 32;  // HTTP connections the (e) sender may use
  int txRows = 1_000;           // rows per transaction in the plain sqlite-jdbc baseline (a)
  int batch = 100;              // rows per message / POST in b100 and c
  int ebInFlight = 128;         // event-bus requests in flight (b1, b100)
  int httpBatchConnections = 4; // HTTP connections, one POST in flight on each (c)
  int eventConnections = 64;    // HTTP connections, one POST in flight on each (h, hr, d, s)
  String synchronous = "NORMAL";
  int retryNoisy = 1;           // run a workload again when other processes disturbed it
  double waitQuietSeconds = 60; // before each workload, wait up to this long for other processes to go idle
  Path dir;                     // parent of the temp directory; default java.io.tmpdir
  boolean keep;                 // keep the database files
  boolean verbose;              // Spark's INFO logging on stderr
  int ingestInstances;          // ingest.instances of the Spark under test; 0: Spark's default
  boolean cycledIds;            // access-log requestIds cycle through 6,400 values instead of being unique
  Set<String> only = new LinkedHashSet<>(ALL_WORKLOADS);

  static BenchOptions parse(String[] args) {
    BenchOptions o = new BenchOptions();
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.println(usage());
        System.exit(0);
      }
      if (arg.equals("--keep")) { o.keep = true; continue; }
      if (arg.equals("--verbose")) { o.verbose = true; continue; }
      if (arg.equals("--quick")) {
        o.seconds = 3; o.refSeconds = 2; o.warmupSeconds = 1; o.latencySeconds = 5;
        continue;
      }
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) throw new IllegalArgumentException("Unknown argument " + arg + "\n" + usage());
      String key = arg.substring(2, eq);
      String value = arg.substring(eq + 1);
      switch (key) {
        case "seconds" -> o.seconds = Double.parseDouble(value);
        case "ref-seconds" -> o.refSeconds = Double.parseDouble(value);
        case "warmup-seconds" -> o.warmupSeconds = Double.parseDouble(value);
        case "lead-in-seconds" -> o.leadInSeconds = Double.parseDouble(value);
        case "latency-seconds" -> o.latencySeconds = Double.parseDouble(value);
        case "latency-rate" -> o.latencyRate = Integer.parseInt(value);
        case "latency-connections" -> o.latencyConnections = Integer.parseInt(value);
        case "tx-rows" -> o.txRows = Integer.parseInt(value);
        case "batch" -> o.batch = Integer.parseInt(value);
        case "eb-inflight" -> o.ebInFlight = Integer.parseInt(value);
        case "http-batch-connections" -> o.httpBatchConnections = Integer.parseInt(value);
        case "event-connections" -> o.eventConnections = Integer.parseInt(value);
        case "synchronous" -> o.synchronous = value.toUpperCase();
        case "wait-quiet" -> o.waitQuietSeconds = Double.parseDouble(value);
        case "retry-noisy" -> o.retryNoisy = Integer.parseInt(value);
        case "request-ids" -> {
          if (!value.equals("unique") && !value.equals("cycled")) throw new IllegalArgumentException("--request-ids is unique or cycled");
          o.cycledIds = value.equals("cycled");
        }
        case "ingest-instances" -> o.ingestInstances = SparkServer.ingestInstancesOption(value);
        case "dir" -> o.dir = Path.of(value);
        case "only" -> {
          o.only = new LinkedHashSet<>();
          for (String w : value.split(",")) {
            String name = w.trim();
            if (!ALL_WORKLOADS.contains(name)) throw new IllegalArgumentException("Unknown workload " + name + "; one of " + ALL_WORKLOADS);
            o.only.add(name);
          }
        }
        default -> throw new IllegalArgumentException("Unknown option --" + key + "\n" + usage());
      }
    }
    return o;
  }

  boolean runs(String workload) {
    return only.contains(workload);
  }

  static String usage() {
    return """
        Usage: bin/bench [options]
          --only=ref,a,b1,b100,c,cs,h,hr,hb,d,di,s,be,bei,e   workloads to run (default: all)
                                       h/hr: the HTTP ceiling of d: a bare Vert.x HTTP server (h: request handler,
                                       hr: Vert.x Web Router + BodyHandler) that reads each body of d and answers as
                                       Spark does, storing nothing; same Vert.x, instances, client, connections, bodies
                                       hb: the bus ceiling of b1: b1's load against a bare consumer that answers as
                                       Spark does, storing nothing (b1's load shares Spark's event loops: b1 - hb
                                       is Spark's own CPU and bytes)
                                       cs: c with the original's snake_case names; di: d with an eventId on each event;
                                       s: Sentry envelopes (gzip), one event each, as many connections as d;
                                       be/bei: event bus, --batch error events per request, without/with eventIds
          --seconds=10                 duration of each throughput workload (a, b1, b100, c, h, d, s)
          --ref-seconds=4              duration of the one-row-per-transaction reference
          --warmup-seconds=3           JVM warm-up per workload kind (throw-away database)
          --lead-in-seconds=0          N s of the workload's own load on its own Spark (or bare server) just
                                       before the measured window, not counted in rates, CPU or bytes (its rows
                                       are in the data check, so the measured window runs on a larger file)
          --latency-seconds=15         duration of the SSE latency run (e)
          --latency-rate=1000          events/s in (e)
          --latency-connections=32     HTTP connections available to the (e) sender
          --tx-rows=1000               rows per transaction in baseline (a)
          --batch=100                  rows per message/POST in b100 and c
          --eb-inflight=128            event-bus requests in flight in b1/b100
          --http-batch-connections=4   connections (one POST in flight each) in c
          --event-connections=64       connections (one POST in flight each) in h, hr, d and s
          --synchronous=NORMAL         PRAGMA synchronous for every workload
          --wait-quiet=60              before each workload wait up to N s for other processes to go idle (0: don't)
          --retry-noisy=1              run a workload again (N times at most) if other processes used > 0.15 cores meanwhile
          --request-ids=unique         access-log requestIds: unique increasing (default) or cycled (6,400 values)
          --ingest-instances=N         ingest.instances of the Spark under test (default: Spark's own default)
          --dir=PATH --keep --verbose --quick""";
  }
}
