package dev.spark.bench;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.GitRepo;
import dev.spark.support.Pi;
import dev.spark.support.Repo;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Branch delivery's own cost on the demo's bug: Spark in this JVM (production profile), the real Pi
 * against a scripted model (read, edit, answer: the model's own time is a loopback round trip), a git
 * project holding the demo's source, a verify command (a grep). Each round ingests the demo's
 * {@code no such table: users} error, waits for the {@code verified} fix, and discards it (not timed).
 * Spark's share (worktree creation, commit and diff, the record; and every git process it ran for the
 * fix) comes from the fix's line in the transcript; end to end (arrival to verified) includes Pi's start,
 * its model round trips and tools, and the check. Baseline in the same run: one bare git process.
 *
 * <pre>bin/bench-fixes [--rounds=20] [--warmup=2]</pre>
 */
public final class FixBenchmark {
  static final String SOURCE = "src/main/java/dev/spark/demo/DemoApp.java";
  static final String BUGGY = "INSERT INTO users (email, password_hash)";
  static final String FIXED = "INSERT INTO accounts (email, password_hash)";
  static final Pattern TIMINGS = Pattern.compile("Fix #(\\d+): (\\S+).*worktree ([\\d.]+) ms, commit and diff ([\\d.]+) ms, "
      + "record ([\\d.]+) ms; git (\\d+) runs, ([\\d.]+) ms");

  public static void main(String[] args) throws Exception {
    int rounds = 20;
    int warmup = 2;
    for (String a : args) {
      if (a.startsWith("--rounds=")) rounds = Integer.parseInt(a.substring(9));
      else if (a.startsWith("--warmup=")) warmup = Integer.parseInt(a.substring(9));
      else {
        System.out.println("Usage: bin/bench-fixes [--rounds=20] [--warmup=2]");
        System.exit(a.equals("--help") ? 0 : 2);
      }
    }
    Path dir = Files.createTempDirectory("spark-bench-fixes");
    Path project = Files.createDirectories(dir.resolve("project"));
    Files.createDirectories(project.resolve(SOURCE).getParent());
    Files.copy(Repo.path("examples/demo/" + SOURCE), project.resolve(SOURCE));
    if (!Files.readString(project.resolve(SOURCE)).contains(BUGGY)) throw new IllegalStateException("the demo no longer has its bug");
    GitRepo.git(project, "init", "-q", "-b", "main");
    GitRepo.git(project, "add", ".");
    GitRepo.git(project, "commit", "-q", "-m", "the demo");

    Vertx vertx = Vertx.vertx();
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> {
      if (!ScriptedModel.lastUserText(request).contains("fresh git worktree")) return Reply.text("Oriented.");
      return switch (ScriptedModel.toolResultsSinceUser(request)) {
        case 0 -> Reply.tool("read", new JsonObject().put("path", SOURCE));
        case 1 -> Reply.tool("edit", new JsonObject().put("path", SOURCE).put("edits",
            new JsonArray().add(new JsonObject().put("oldText", BUGGY).put("newText", FIXED))));
        default -> Reply.text("Fixed: sign-up inserted into users, but the table is accounts.");
      };
    }));
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("verify", new JsonObject().put("command", "grep -q 'INSERT INTO accounts' " + SOURCE).put("timeoutMs", 30_000));
    // cooldownMs 0: the same issue is delivered again each round (as "still happening").
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("environment", "production")
        .put("issues", new JsonObject().put("cooldownMs", 0)).put("agent", agent));
    AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
    Await.result(console.awaitState(AgentConsole::ready));

    Map<String, List<Double>> ms = new LinkedHashMap<>();
    for (String k : List.of("end to end: arrival to verified", "  Spark's share: worktree + commit + record", "    worktree creation",
        "    commit and diff", "    record (storage round trip)", "  git processes, wall time (all of the fix's)", "  the rest: Pi, model, tools, check")) {
      ms.put(k, new ArrayList<>());
    }
    List<Double> gitRuns = new ArrayList<>();
    long lastId = 0;
    for (int r = 0; r < warmup + rounds; r++) {
      long since = lastId;
      var line = console.awaitEntry(e -> {
        Matcher m = Pattern.compile("Fix #(\\d+):").matcher(e.getString("text", ""));
        return m.lookingAt() && Long.parseLong(m.group(1)) > since;
      });
      long t0 = System.nanoTime();
      AgentSetup.ingest(spark, "[SQLITE_ERROR] SQL error or missing database (no such table: users)");
      String text = Await.result(line).getString("text");
      double e2e = (System.nanoTime() - t0) / 1e6;
      Matcher m = TIMINGS.matcher(text);
      if (!m.find() || !"verified".equals(m.group(2))) throw new IllegalStateException("not a verified fix: " + text);
      lastId = Long.parseLong(m.group(1));
      if (spark.postAuthed("/api/v1/fixes/" + lastId + "/discard", null).statusCode() != 200) throw new IllegalStateException("discard failed");
      if (r < warmup) continue;
      double wt = Double.parseDouble(m.group(3));
      double commit = Double.parseDouble(m.group(4));
      double record = Double.parseDouble(m.group(5));
      double share = wt + commit + record;
      List<Double> row = List.of(e2e, share, wt, commit, record, Double.parseDouble(m.group(7)), e2e - share);
      int i = 0;
      for (List<Double> col : ms.values()) col.add(row.get(i++));
      gitRuns.add(Double.parseDouble(m.group(6)));
    }
    double gitSpawn = bareGit(project, 50);

    System.out.printf(Locale.ROOT, "Fixes on the demo bug: %d rounds after %d warm-up, %s %s, %d cores%n", rounds, warmup,
        System.getProperty("java.vm.name"), System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-48s %9s %9s %9s%n", "ms", "p50", "p95", "max");
    for (var e : ms.entrySet()) {
      double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
      System.out.printf(Locale.ROOT, "%-48s %9.1f %9.1f %9.1f%n", e.getKey(), pct(v, 50), pct(v, 95), v[v.length - 1]);
    }
    double[] runs = gitRuns.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double shareP50 = pct(ms.get("  Spark's share: worktree + commit + record").stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
    System.out.printf(Locale.ROOT, "git processes per fix: p50 %.0f, max %.0f%n", pct(runs, 50), runs[runs.length - 1]);
    System.out.printf(Locale.ROOT, "baseline, one bare git process (git rev-parse HEAD), p50: %.1f ms; Spark's share p50 = %.1f of them%n",
        gitSpawn, shareP50 / gitSpawn);
    Await.result(console.close());
    spark.stop();
    Await.result(model.close());
    Await.result(vertx.close());
  }

  /** p50 of {@code n} runs of {@code git rev-parse HEAD} in the project: what one git process costs here. */
  private static double bareGit(Path project, int n) throws Exception {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(project.toFile()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      v[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(v);
    return pct(v, 50);
  }

  private static double pct(double[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }
}
