package dev.spark.agent;

import dev.spark.support.AgentConsole;
import dev.spark.support.AgentSetup;
import dev.spark.support.Await;
import dev.spark.support.GitRepo;
import dev.spark.support.Pi;
import dev.spark.support.ScriptedModel;
import dev.spark.support.ScriptedModel.Reply;
import dev.spark.support.SparkUnderTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Branch delivery with the real Pi and a scripted model: the fix lands on {@code spark/fix-…} only
 * (the user's file, index and {@code git status} unchanged), is verified by the project's check, shown
 * as a diff, and applied (cherry-pick) or discarded; a fix the check rejects is retried with the
 * check's output and ends {@code failed}; a run that changes nothing is {@code no-change}.
 */
@ExtendWith(VertxExtension.class)
class AgentFixTest {
  static final String BUGGY = "total = a - b";
  static final String FIXED = "total = a + b";
  static final String CHECK = "grep -q 'a + b' app.txt || { echo 'expected a + b in app.txt'; exit 3; }";

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() {
    for (int i = cleanup.size() - 1; i >= 0; i--) cleanup.get(i).run();
  }

  @Test
  void productionFixesOnItsOwnBranchVerifiedAndApplyBringsItIntoTheUsersTree(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = gitProject(dir);
    String statusBefore = git(project, "status", "--porcelain");
    ScriptedModel model = model(vertx, request -> {
      String last = ScriptedModel.lastUserText(request);
      if (!last.contains("fresh git worktree")) return Reply.text("Oriented.");
      return switch (ScriptedModel.toolResultsSinceUser(request)) {
        case 0 -> Reply.tool("edit", edit(BUGGY, FIXED));
        default -> Reply.text("Cause: subtraction instead of addition. Changed app.txt.");
      };
    });
    SparkUnderTest spark = spark(vertx, dir, model, project);
    AgentConsole console = console(vertx, spark);
    JsonObject ready = Await.result(console.awaitState(AgentConsole::ready));
    assertEquals("branch", ready.getString("delivery"));
    assertEquals(new JsonArray().add("read").add("grep").add("find").add("ls"), ready.getJsonArray("tools"),
        "the long-running agent cannot touch the user's tree");

    AgentSetup.ingest(spark, "wrong total in checkout");
    JsonObject fix = awaitFix(spark, console);
    assertEquals("verified", fix.getString("status"), fix.encodePrettily());
    String branch = fix.getString("branch");
    assertTrue(branch.startsWith("spark/fix-"), branch);
    assertTrue(fix.getString("diff").contains("-" + BUGGY) && fix.getString("diff").contains("+" + FIXED), fix.getString("diff"));
    assertEquals(0, fix.getJsonObject("verify").getInteger("exitCode"));
    assertEquals(CHECK, fix.getJsonObject("verify").getString("command"));
    assertTrue(fix.getString("summary").contains("subtraction"), fix.getString("summary"));
    // The fix agent worked in the worktree, with the profile's tools, and was asked to reproduce first.
    JsonObject fixRequest = model.requests().stream().filter(r -> ScriptedModel.lastUserText(r).contains("fresh git worktree")).findFirst().orElseThrow();
    assertTrue(ScriptedModel.lastUserText(fixRequest).contains(FixPrompts.REPRODUCE_FIRST));
    assertEquals(List.of("read", "bash", "edit", "write"), ScriptedModel.toolNames(fixRequest));

    // Only the branch has it: the user's file, index, branch and status are as they were.
    assertEquals(BUGGY + "\n", Files.readString(project.resolve("app.txt")));
    assertEquals(statusBefore, git(project, "status", "--porcelain"));
    assertEquals("main", git(project, "rev-parse", "--abbrev-ref", "HEAD").strip());
    assertEquals("", git(project, "diff", "--cached"));
    assertEquals(FIXED + "\n", git(project, "show", branch + ":app.txt"));
    assertEquals("Spark", git(project, "log", "-1", "--format=%an", branch).strip());
    assertTrue(git(project, "log", "-1", "--format=%B", branch).contains("Events: #"), "the commit names the events");
    assertEquals(fix, spark.getJson("/api/v1/fixes/" + fix.getLong("id")));

    HttpResponse<Buffer> applied = spark.postAuthed("/api/v1/fixes/" + fix.getLong("id") + "/apply", null);
    assertEquals(200, applied.statusCode(), applied.bodyAsString());
    assertEquals("applied", applied.bodyAsJsonObject().getString("status"));
    assertEquals(FIXED + "\n", Files.readString(project.resolve("app.txt")));
    assertEquals(statusBefore, git(project, "status", "--porcelain"), "applied as a commit on the user's branch");
    assertEquals("main", git(project, "rev-parse", "--abbrev-ref", "HEAD").strip());
    assertFalse(Files.exists(Path.of(fix.getString("worktree"))), "the worktree is removed");
    JsonObject issue = spark.getJson("/api/v1/issues/" + fix.getString("fingerprint"));
    assertEquals("resolved", issue.getJsonObject("issue", issue).getString("status"), issue.encodePrettily());
    assertEquals(409, spark.postAuthed("/api/v1/fixes/" + fix.getLong("id") + "/apply", null).statusCode(), "applied once");

    // The same error afterwards is a regression, and the agent is told which fix it undoes.
    AgentSetup.ingest(spark, "wrong total in checkout");
    JsonObject again = Await.result(model.await(r -> ScriptedModel.lastUserText(r).contains("a regression of fix #" + fix.getLong("id"))));
    assertTrue(ScriptedModel.lastUserText(again).contains(branch), ScriptedModel.lastUserText(again));
    assertTrue(ScriptedModel.lastUserText(again).toLowerCase().contains("regression"));
  }

  @Test
  void aFixTheCheckRejectsIsRetriedWithTheOutputAndEndsFailed(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = gitProject(dir);
    ScriptedModel model = model(vertx, request -> {
      String last = ScriptedModel.lastUserText(request);
      if (last.contains("the check failed")) {
        return ScriptedModel.toolResultsSinceUser(request) == 0 ? Reply.tool("edit", edit("total = a * b", "total = a / b"))
            : Reply.text("Tried division.");
      }
      if (!last.contains("fresh git worktree")) return Reply.text("Oriented.");
      return ScriptedModel.toolResultsSinceUser(request) == 0 ? Reply.tool("edit", edit(BUGGY, "total = a * b")) : Reply.text("Tried multiplication.");
    });
    SparkUnderTest spark = spark(vertx, dir, model, project);
    AgentConsole console = console(vertx, spark);
    Await.result(console.awaitState(AgentConsole::ready));

    AgentSetup.ingest(spark, "wrong total in checkout");
    JsonObject fix = awaitFix(spark, console);
    assertEquals("failed", fix.getString("status"), fix.encodePrettily());
    assertEquals(2, fix.getInteger("attempts"));
    assertEquals(3, fix.getJsonObject("verify").getInteger("exitCode"));
    assertTrue(fix.getJsonObject("verify").getString("tail").contains("expected a + b in app.txt"));
    assertTrue(fix.getString("diff").contains("+total = a / b"), fix.getString("diff"));
    JsonObject retry = model.requests().stream().filter(r -> ScriptedModel.lastUserText(r).contains("the check failed")).findFirst().orElseThrow();
    assertTrue(ScriptedModel.lastUserText(retry).contains("expected a + b in app.txt"), "the agent is shown the check's output");
    assertEquals(BUGGY + "\n", Files.readString(project.resolve("app.txt")), "the user's tree is untouched");
    assertEquals("", git(project, "status", "--porcelain"));
  }

  @Test
  void noChangeLeavesNoBranchAConflictingApplyIs409AndDiscardRemovesBranchAndWorktree(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = gitProject(dir);
    ScriptedModel model = model(vertx, request -> {
      String last = ScriptedModel.lastUserText(request);
      if (!last.contains("fresh git worktree")) return Reply.text("Oriented.");
      if (last.contains("cannot reproduce this")) return Reply.text("I could not reproduce it; no change.");
      return ScriptedModel.toolResultsSinceUser(request) == 0 ? Reply.tool("edit", edit(BUGGY, FIXED)) : Reply.text("Fixed.");
    });
    SparkUnderTest spark = spark(vertx, dir, model, project);
    AgentConsole console = console(vertx, spark);
    Await.result(console.awaitState(AgentConsole::ready));

    AgentSetup.ingest(spark, "cannot reproduce this");
    JsonObject none = awaitFix(spark, console);
    assertEquals("no-change", none.getString("status"));
    assertNull(none.getString("branch"));
    assertEquals("", git(project, "branch", "--list", "spark/*"), "no branch is left for a fix with nothing in it");
    assertEquals(List.of(), worktreeFolders(project));

    AgentSetup.ingest(spark, "wrong total in checkout");
    JsonObject fix = Await.result(console.awaitEntry(e -> e.getString("text", "").startsWith("Fix #" + (none.getLong("id") + 1) + ":")))
        == null ? null : spark.getJson("/api/v1/fixes/" + (none.getLong("id") + 1));
    assertEquals("verified", fix.getString("status"));
    assertEquals(2, spark.getJson("/api/v1/fixes").getJsonArray("fixes").size());
    assertEquals(1, spark.getJson("/api/v1/fixes?status=no-change").getJsonArray("fixes").size());
    assertEquals(400, Await.result(spark.client().get("/api/v1/fixes?status=bogus").bearerTokenAuthentication(SparkUnderTest.TOKEN).send()).statusCode());

    // A local change to the file the fix touches: apply refuses and changes nothing.
    Files.writeString(project.resolve("app.txt"), "total = a - b  # my local edit\n");
    String statusBefore = git(project, "status", "--porcelain");
    String headBefore = git(project, "rev-parse", "HEAD");
    HttpResponse<Buffer> refused = spark.postAuthed("/api/v1/fixes/" + fix.getLong("id") + "/apply", null);
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertTrue(refused.bodyAsString().contains("app.txt"), refused.bodyAsString());
    assertEquals("total = a - b  # my local edit\n", Files.readString(project.resolve("app.txt")));
    assertEquals(statusBefore, git(project, "status", "--porcelain"));
    assertEquals(headBefore, git(project, "rev-parse", "HEAD"));
    assertEquals("verified", spark.getJson("/api/v1/fixes/" + fix.getLong("id")).getString("status"));

    HttpResponse<Buffer> discarded = spark.postAuthed("/api/v1/fixes/" + fix.getLong("id") + "/discard", null);
    assertEquals(200, discarded.statusCode(), discarded.bodyAsString());
    assertEquals("discarded", discarded.bodyAsJsonObject().getString("status"));
    assertEquals("", git(project, "branch", "--list", "spark/*"));
    assertEquals(List.of(), worktreeFolders(project));
    assertEquals("total = a - b  # my local edit\n", Files.readString(project.resolve("app.txt")));
    assertEquals(404, spark.postAuthed("/api/v1/fixes/999/discard", null).statusCode());
  }

  @Test
  void atStartAWorktreeNoRecordedFixOwnsIsRemovedWithItsBranch(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = gitProject(dir);
    // What a crash of Spark mid-fix leaves: a worktree and its branch, and no fix record.
    Path orphan = project.resolve(".spark/worktrees/spark-fix-deadbeef");
    git(project, "worktree", "add", "-q", "-b", "spark/fix-deadbeef", orphan.toString(), "HEAD");
    Files.writeString(orphan.resolve("app.txt"), "half an edit\n");
    Worktrees.writeNote(orphan, new JsonObject().put("fingerprint", "deadbeef").put("events", new JsonArray().add(41)));
    ScriptedModel model = model(vertx, request -> Reply.text("Oriented."));
    SparkUnderTest spark = spark(vertx, dir, model, project);
    AgentConsole console = console(vertx, spark);
    Await.result(console.awaitState(AgentConsole::ready));
    Await.result(console.awaitEntry(e -> e.getString("text", "").contains("never finished")));
    assertFalse(Files.exists(orphan));
    assertEquals("", git(project, "branch", "--list", "spark/*"));
    assertFalse(git(project, "worktree", "list").contains("deadbeef"));
    assertEquals(BUGGY + "\n", Files.readString(project.resolve("app.txt")));
    JsonObject interrupted = awaitFix(spark, console);
    assertEquals("interrupted", interrupted.getString("status"));
    assertEquals(new JsonArray().add(41), interrupted.getJsonArray("events"));
    assertEquals("deadbeef", interrupted.getString("fingerprint"));
  }

  @Test
  void inPlaceRunsAreRecordedTooWithTheirDiffAndVerdict(Vertx vertx, @TempDir Path dir) throws Exception {
    Path project = gitProject(dir);
    ScriptedModel model = model(vertx, request -> {
      if (!ScriptedModel.lastUserText(request).contains("```spark-events")) return Reply.text("Oriented.");
      return ScriptedModel.toolResultsSinceUser(request) == 0 ? Reply.tool("edit", edit(BUGGY, FIXED)) : Reply.text("Fixed in place.");
    });
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("verify", new JsonObject().put("command", CHECK));
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, new JsonObject().put("environment", "development").put("agent", agent));
    cleanup.add(spark::stop);
    AgentConsole console = console(vertx, spark);
    assertEquals("in-place", Await.result(console.awaitState(AgentConsole::ready)).getString("delivery"));

    long id = AgentSetup.ingest(spark, "wrong total in checkout");
    JsonObject fix = awaitFix(spark, console);
    assertEquals("in-place", fix.getString("delivery"));
    assertEquals("verified", fix.getString("status"), fix.encodePrettily());
    assertEquals(new JsonArray().add(id), fix.getJsonArray("events"));
    assertTrue(fix.getString("diff").contains("-" + BUGGY) && fix.getString("diff").contains("+" + FIXED), fix.getString("diff"));
    assertEquals("Fixed in place.", fix.getString("summary"));
    assertNull(fix.getString("branch"));
    assertEquals(FIXED + "\n", Files.readString(project.resolve("app.txt")), "in place: the user's tree has the edit");
    assertEquals("", git(project, "diff", "--cached"), "the user's index is untouched by the snapshots");
    assertEquals(1, spark.getJson("/api/v1/fixes").getJsonArray("fixes").size(), "the orientation run is not a fix");
  }

  // ------------------------------------------------------------------ helpers

  private static JsonObject awaitFix(SparkUnderTest spark, AgentConsole console) {
    JsonObject entry = Await.result(console.awaitEntry(e -> e.getString("text", "").startsWith("Fix #")));
    String text = entry.getString("text");
    System.out.println("[fix] " + text);  // Spark's share of the fix's time, for the report
    long id = Long.parseLong(text.substring("Fix #".length(), text.indexOf(':')));
    return spark.getJson("/api/v1/fixes/" + id);
  }

  private static JsonObject edit(String oldText, String newText) {
    return new JsonObject().put("path", "app.txt").put("edits", new JsonArray().add(new JsonObject().put("oldText", oldText).put("newText", newText)));
  }

  private static List<Path> worktreeFolders(Path project) throws IOException {
    Path root = project.resolve(".spark/worktrees");
    if (!Files.isDirectory(root)) return List.of();
    try (var s = Files.list(root)) {
      return s.toList();
    }
  }

  static Path gitProject(Path dir) throws Exception {
    return GitRepo.project(dir, BUGGY + "\n");
  }

  static String git(Path dir, String... args) throws Exception {
    return GitRepo.git(dir, args);
  }

  private ScriptedModel model(Vertx vertx, Function<JsonObject, Reply> script) {
    ScriptedModel model = Await.result(ScriptedModel.start(vertx, script));
    cleanup.add(() -> Await.result(model.close()));
    return model;
  }

  private AgentConsole console(Vertx vertx, SparkUnderTest spark) {
    AgentConsole console = Await.result(AgentConsole.connect(vertx, spark.port));
    cleanup.add(() -> Await.result(console.close()));
    return console;
  }

  private SparkUnderTest spark(Vertx vertx, Path dir, ScriptedModel model, Path project) {
    JsonObject agent = AgentSetup.agentConfig(Pi.executable(), project, new JsonObject(new HashMap<>(model.piEnvironment(dir.resolve("pi-agent")))))
        .put("verify", new JsonObject().put("command", CHECK).put("timeoutMs", 30_000).put("attempts", 2));
    JsonObject overrides = new JsonObject().put("environment", "production").put("agent", agent);
    SparkUnderTest spark = SparkUnderTest.start(vertx, dir, overrides);
    cleanup.add(spark::stop);
    return spark;
  }
}
