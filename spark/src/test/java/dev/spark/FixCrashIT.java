package dev.spark;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.DbFile;
import dev.spark.support.GitRepo;
import dev.spark.support.Pi;
import dev.spark.support.Poll;
import dev.spark.support.ProcessApi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkProcess;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, "a crash of Spark leaves no orphaned worktree": the fat jar runs as a real process in the
 * production profile (branch delivery) on a git project, with the real Pi against a scripted model the
 * test serves. The model makes its edit in the fix's worktree, then holds its next answer open, so the
 * fix run is in progress when Spark is killed with {@code kill -KILL} (its Pi processes with it). The
 * restarted Spark leaves no orphaned worktree or stray {@code spark/fix-*} branch, records the fix as
 * {@code interrupted}, and delivers the batch again exactly once (the fix then ends {@code verified});
 * the user's tree, index and branch are untouched throughout. A third start sends nothing again.
 */
class FixCrashIT {
  static final String BUGGY = "total = a - b";
  static final String FIXED = "total = a + b";
  static final String CHECK = "grep -q 'a + b' app.txt || { echo 'expected a + b in app.txt'; exit 3; }";
  static final String FIX_PROMPT = "fresh git worktree";

  @Test
  void killNineDuringAFixRunLeavesNoOrphanRecordsItInterruptedAndFixesTheBatchAgainOnce(@TempDir Path dir) throws Exception {
    Path pi = Pi.executable();
    Path project = GitRepo.project(dir, BUGGY + "\n");
    String statusBefore = GitRepo.git(project, "status", "--porcelain");
    String headBefore = GitRepo.git(project, "rev-parse", "HEAD");
    Vertx vertx = Vertx.vertx();
    Promise<Void> never = Promise.promise();
    AtomicBoolean restarted = new AtomicBoolean();
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, request -> {
      if (!ScriptedModel.lastUserText(request).contains(FIX_PROMPT)) return Reply.text("Oriented.");
      if (ScriptedModel.toolResultsSinceUser(request) == 0) return Reply.tool("edit", edit());
      // Before the crash the run never ends: Spark is killed while the edit sits uncommitted in the worktree.
      return restarted.get() ? Reply.text("Cause: subtraction instead of addition. Changed app.txt.") : Reply.hold(never.future());
    }));
    int port = SparkUnderTest.freePort();
    Path db = dir.resolve("spark.db");
    JsonObject agent = AgentSetup.agentConfig(pi, project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("verify", new JsonObject().put("command", CHECK).put("timeoutMs", 30_000).put("attempts", 2));
    Path conf = SparkProcess.writeConf(dir.resolve("spark.json"), new JsonObject()
        .put("environment", "production")
        .put("db", new JsonObject().put("path", db.toString()))
        .put("web", new JsonObject().put("port", port).put("token", SparkUnderTest.TOKEN))
        .put("agent", agent));
    ProcessApi api = new ProcessApi(port, SparkUnderTest.TOKEN, Duration.ofSeconds(30));
    SparkProcess spark = null;
    try {
      // 1. A fix run in progress: the edit made in the worktree, the model's next answer held open.
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      AgentConsole console = Await.result(AgentConsole.connect(vertx, port));
      assertEquals("branch", Await.result(console.awaitState(AgentConsole::ready)).getString("delivery"));
      long id = api.ingest("wrong total in checkout");
      Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains(FIX_PROMPT) && ScriptedModel.toolResultsSinceUser(r) == 1));
      List<Path> inFlight = worktreeFolders(project);
      assertEquals(1, inFlight.size(), "the run's worktree: " + inFlight);
      assertEquals(FIXED + "\n", Files.readString(inFlight.get(0).resolve("app.txt")), "the model's edit is in the worktree, uncommitted");
      String branch = sparkBranches(project).get(0);
      assertTrue(branch.startsWith("spark/fix-"), branch);
      Await.result(console.close());

      List<ProcessHandle> children = spark.descendants();
      assertEquals(137, spark.kill9(), "Spark killed by SIGKILL");
      for (ProcessHandle p : children) {
        p.destroyForcibly();
        p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
      }
      // What the crash left: the worktree and its branch, and no fix record. Plus what a crash between
      // removing a worktree and deleting its branch leaves, and a folder git never registered.
      assertEquals(List.of(branch), sparkBranches(project));
      GitRepo.git(project, "branch", "spark/fix-0123456789ab");
      Files.createDirectories(project.resolve(".spark/worktrees/spark-fix-half-made"));
      assertEquals(0, DbFile.count(db, "SELECT count(*) FROM fixes"));
      assertEquals(1, DbFile.count(db, "SELECT count(*) FROM agent_outbox"), "the batch is held: never counted delivered");

      // 2. Restarted: the orphans are gone, the fix is recorded interrupted, the batch is fixed again, once.
      restarted.set(true);
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      console = Await.result(AgentConsole.connect(vertx, port));
      Await.result(console.awaitEntry(e -> e.getString("text", "").matches("Fix #\\d+: verified.*")));
      JsonObject state = Await.result(console.awaitState(s -> s.getJsonObject("batches").getInteger("delivered") == 1
          && s.getJsonObject("batches").getInteger("pending") == 0));
      assertEquals(List.of(List.of(id)), sentBatches(console.transcript()), "the batch is delivered again, once");

      JsonArray fixes = api.getJson("/api/v1/fixes").getJsonArray("fixes");
      assertEquals(2, fixes.size(), fixes.encodePrettily());
      JsonObject interrupted = find(fixes, "interrupted");
      JsonObject verified = find(fixes, "verified");
      assertEquals(new JsonArray().add(id), interrupted.getJsonArray("events"));
      assertEquals(verified.getString("fingerprint"), interrupted.getString("fingerprint"));
      assertTrue(interrupted.getLong("id") < verified.getLong("id"), "recorded interrupted before the batch was fixed again");
      assertEquals(new JsonArray().add(id), verified.getJsonArray("events"));
      assertEquals(branch, verified.getString("branch"), "the crashed run's branch was gone before the new run took the name");
      assertTrue(verified.getString("diff").contains("+" + FIXED), verified.getString("diff"));
      assertEquals(2, model.requests().stream().filter(r -> ScriptedModel.lastUserText(r).contains(FIX_PROMPT)
          && ScriptedModel.toolResultsSinceUser(r) == 0).count(), "asked to fix the batch once before the crash and once after");

      // No orphan: git knows the user's tree and the new fix's worktree only; no branch no record names.
      assertEquals(List.of(project.toRealPath(), Path.of(verified.getString("worktree"))), gitWorktrees(project));
      assertEquals(List.of(Path.of(verified.getString("worktree"))), worktreeFolders(project));
      assertEquals(List.of(branch), sparkBranches(project));
      Poll.until("the batch to be released", 30_000, () -> DbFile.count(db, "SELECT count(*) FROM agent_outbox") == 0);
      assertUntouched(project, statusBefore, headBefore);
      Await.result(console.close());

      // 3. Killed again with the fix recorded: the next start keeps it and sends nothing again.
      children = spark.descendants();
      assertEquals(137, spark.kill9());
      for (ProcessHandle p : children) {
        p.destroyForcibly();
        p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
      }
      spark = SparkProcess.startJar(dir, conf, "-Xmx512m");
      console = Await.result(AgentConsole.connect(vertx, port));
      state = Await.result(console.awaitState(AgentConsole::ready));
      assertEquals(List.of(), sentBatches(console.transcript()));
      assertEquals(0, state.getJsonObject("batches").getInteger("pending"));
      assertEquals(2, api.getJson("/api/v1/fixes").getJsonArray("fixes").size());
      assertEquals(List.of(project.toRealPath(), Path.of(verified.getString("worktree"))), gitWorktrees(project));

      // Discarding the fix leaves only the user's tree.
      HttpResponse<String> discarded = api.post("/api/v1/fixes/" + verified.getLong("id") + "/discard", "");
      assertEquals(200, discarded.statusCode(), discarded.body());
      assertEquals(List.of(project.toRealPath()), gitWorktrees(project));
      assertEquals(List.of(), worktreeFolders(project));
      assertEquals(List.of(), sparkBranches(project));
      assertUntouched(project, statusBefore, headBefore);
      Await.result(console.close());
      children = spark.descendants();
      spark.terminate();
      for (ProcessHandle p : children) p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    } finally {
      if (spark != null) {
        for (ProcessHandle p : spark.descendants()) p.destroyForcibly();
        spark.close();
      }
      never.tryComplete();
      Await.result(model.close());
      Await.result(vertx.close());
    }
  }

  private static void assertUntouched(Path project, String statusBefore, String headBefore) throws Exception {
    assertEquals(BUGGY + "\n", Files.readString(project.resolve("app.txt")), "the user's file");
    assertEquals(statusBefore, GitRepo.git(project, "status", "--porcelain"), "the user's git status");
    assertEquals(headBefore, GitRepo.git(project, "rev-parse", "HEAD"), "the user's HEAD");
    assertEquals("main", GitRepo.git(project, "rev-parse", "--abbrev-ref", "HEAD").strip(), "the user's branch");
    assertEquals("", GitRepo.git(project, "diff", "--cached"), "the user's index");
  }

  private static JsonObject edit() {
    return new JsonObject().put("path", "app.txt").put("edits", new JsonArray().add(new JsonObject().put("oldText", BUGGY).put("newText", FIXED)));
  }

  private static JsonObject find(JsonArray fixes, String status) {
    for (Object o : fixes) {
      if (status.equals(((JsonObject) o).getString("status"))) return (JsonObject) o;
    }
    throw new AssertionError("no " + status + " fix in " + fixes.encodePrettily());
  }

  /** The event ids of each batch Spark sent its agent in this run, from the console's transcript. */
  private static List<List<Long>> sentBatches(List<JsonObject> transcript) {
    List<List<Long>> out = new ArrayList<>();
    for (JsonObject e : transcript) {
      if (!"batch".equals(e.getString("kind"))) continue;
      List<Long> ids = new ArrayList<>();
      for (Object id : e.getJsonArray("eventIds")) ids.add(((Number) id).longValue());
      out.add(ids);
    }
    return out;
  }

  private static List<Path> worktreeFolders(Path project) throws Exception {
    Path root = project.resolve(".spark/worktrees");
    if (!Files.isDirectory(root)) return List.of();
    try (var s = Files.list(root)) {
      return s.sorted().toList();
    }
  }

  private static List<Path> gitWorktrees(Path project) throws Exception {
    return GitRepo.git(project, "worktree", "list", "--porcelain").lines().filter(l -> l.startsWith("worktree "))
        .map(l -> Path.of(l.substring("worktree ".length()))).toList();
  }

  private static List<String> sparkBranches(Path project) throws Exception {
    return GitRepo.git(project, "for-each-ref", "--format=%(refname:short)", "refs/heads/spark/").lines().filter(l -> !l.isBlank()).toList();
  }
}
