package dev.spark.agent;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fixes' git worktrees: each one a checkout of the project's {@code HEAD} under
 * {@code .spark/worktrees/} on a branch of its own ({@code spark/fix-<fingerprint>[-n]}). The user's
 * working tree, index and current branch are never touched: {@code .spark/} is added to the
 * repository's {@code info/exclude} (not to a file of the project) when nothing ignores it yet, so
 * {@code git status} stays as it was. Blocking: off the event loop.
 */
final class Worktrees {
  /** A fix's worktree and branch. */
  record Worktree(Path path, String branch) {}

  private final Path project;
  /** {@code .spark/} is known to be ignored (checked once; Spark's own exclude line is never taken out). */
  private volatile boolean excluded;

  /** @param project the top of the user's git work tree */
  Worktrees(Path project) {
    this.project = project;
  }

  Path project() {
    return project;
  }

  /** Forgets worktrees whose folders are gone (a crash of Spark, a folder removed by hand). */
  void prune() {
    Git.run(project, "worktree", "prune");
  }

  /**
   * A new worktree at {@code HEAD} on a new branch named after the fingerprint. The first free
   * name is found by trying: {@code worktree add -b} refuses a branch that exists (one git process per
   * try instead of a check and then the add).
   */
  Worktree create(String fingerprint) {
    excludeSparkFolder();
    String base = "spark/fix-" + safe(fingerprint);
    Path root = project.resolve(".spark").resolve("worktrees");
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int n = 1; ; n++) {
      String branch = n == 1 ? base : base + "-" + n;
      Path path = root.resolve(folder(branch));
      if (Files.exists(path)) continue;
      Git.Result added = Git.run(project, "worktree", "add", "-b", branch, path.toString(), "HEAD");
      if (added.ok()) return new Worktree(path, branch);
      if (n > 1000 || !added.err().contains("already exists")) {
        throw new Git.GitException("git worktree add -b " + branch + " failed: " + (added.err().isBlank() ? added.out() : added.err()).strip());
      }
    }
  }

  /**
   * The whole working tree of the project as a git tree (tracked and new files, ignored ones left out),
   * written through an index of its own: the user's index is not touched. For in-place runs.
   */
  String snapshot() {
    excludeSparkFolder();
    Path index = null;
    try {
      index = Files.createTempFile("spark-index", "");
      Files.delete(index);
      Map<String, String> env = Map.of("GIT_INDEX_FILE", index.toString());
      if (Git.run(project, "rev-parse", "--verify", "--quiet", "HEAD").ok()) checked(Git.run(project, env, "read-tree", "HEAD"));
      checked(Git.run(project, env, "add", "-A"));
      return checked(Git.run(project, env, "write-tree")).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        if (index != null) Files.deleteIfExists(index);
      } catch (IOException ignored) {
        // a temporary file
      }
    }
  }

  /** What changed from one snapshot to another, as a patch. */
  String diff(String fromTree, String toTree) {
    return Git.check(project, "diff", "--no-color", "--no-ext-diff", fromTree, toTree);
  }

  private static String checked(Git.Result r) {
    if (!r.ok()) throw new Git.GitException("git failed: " + r.err().strip());
    return r.out();
  }

  /**
   * A note of what a worktree is for (its issue and events), kept in the worktree's own git folder
   * (never in its files, so nothing commits it): a restart after a crash records the fix as interrupted.
   */
  static void writeNote(Path worktree, JsonObject note) {
    try {
      Files.writeString(noteFile(worktree), note.encode());
    } catch (IOException | RuntimeException e) {
      // only the record of an interruption is lost
    }
  }

  /** The note {@link #writeNote} left, or null. */
  static JsonObject readNote(Path worktree) {
    try {
      Path f = noteFile(worktree);
      return Files.exists(f) ? new JsonObject(Files.readString(f)) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** In the worktree's git folder, which its {@code .git} file names ({@code gitdir: …}): read, not asked of git. */
  private static Path noteFile(Path worktree) throws IOException {
    String link = Files.readString(worktree.resolve(".git")).strip();
    if (!link.startsWith("gitdir:")) throw new IOException(worktree + "/.git is not a worktree's link");
    Path gitDir = Path.of(link.substring("gitdir:".length()).strip());
    return (gitDir.isAbsolute() ? gitDir : worktree.resolve(gitDir)).resolve("spark-fix.json");
  }

  /** Whether the agent changed anything in the worktree (tracked or new files). */
  static boolean changed(Path worktree) {
    return !Git.check(worktree, "status", "--porcelain").isBlank();
  }

  /** A commit Spark made: its id and its patch (what applying it brings). */
  record Commit(String id, String diff) {}

  /** Commits everything changed in the worktree as Spark; answers the commit with its patch (from one {@code git show}). */
  static Commit commit(Path worktree, String message) {
    Git.check(worktree, "add", "-A");
    Git.check(worktree, "commit", "-q", "--no-verify", "-m", message);
    String shown = Git.check(worktree, "show", "--format=%H", "--patch", "--no-color", "--no-ext-diff", "HEAD");
    int eol = shown.indexOf('\n');
    String id = (eol < 0 ? shown : shown.substring(0, eol)).strip();
    String diff = eol < 0 ? "" : shown.substring(eol + 1);
    return new Commit(id, diff.startsWith("\n") ? diff.substring(1) : diff);
  }

  /** Removes the worktree's folder and, when {@code dropBranch}, its branch. Missing ones are fine. */
  void remove(Worktree wt, boolean dropBranch) {
    if (wt.path() != null && Files.exists(wt.path())) Git.run(project, "worktree", "remove", "--force", wt.path().toString());
    prune();
    if (dropBranch && wt.branch() != null) Git.run(project, "branch", "-D", wt.branch());
  }

  /** Spark's worktrees under {@code .spark/worktrees/} that git still lists. */
  List<Path> listed() {
    List<Path> out = new ArrayList<>();
    Path root = project.resolve(".spark").resolve("worktrees");
    for (String line : Git.run(project, "worktree", "list", "--porcelain").out().split("\n")) {
      if (line.startsWith("worktree ")) {
        Path p = Path.of(line.substring("worktree ".length()));
        if (p.startsWith(root)) out.add(p);
      }
    }
    return out;
  }

  /**
   * Removes what a crash can leave besides a registered worktree: folders under {@code .spark/worktrees/}
   * git does not list, and {@code spark/fix-*} branches that no fix record names and no worktree has
   * checked out ({@code spark/fix-} is Spark's own namespace). Answers what it removed.
   */
  List<String> removeStrays(Set<Path> ownedFolders, Set<String> ownedBranches) {
    List<String> removed = new ArrayList<>();
    Set<Path> registered = new HashSet<>(listed());
    Path root = project.resolve(".spark").resolve("worktrees");
    if (Files.isDirectory(root)) {
      try (var folders = Files.list(root)) {
        for (Path p : folders.toList()) {
          if (registered.contains(p) || ownedFolders.contains(p)) continue;
          deleteTree(p);
          removed.add(project.relativize(p).toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String branch : Git.check(project, "for-each-ref", "--format=%(refname:short)", "refs/heads/spark/").split("\n")) {
      if (!branch.startsWith("spark/fix-") || ownedBranches.contains(branch)) continue;
      // -D refuses a branch some worktree has checked out: that one stays.
      if (Git.run(project, "branch", "-D", branch).ok()) removed.add(branch);
    }
    return removed;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  void excludeSparkFolder() {
    if (excluded) return;
    if (Git.run(project, "check-ignore", "-q", ".spark/worktrees/x").ok()) {
      excluded = true;
      return;
    }
    Path exclude = Path.of(Git.check(project, "rev-parse", "--git-path", "info/exclude").strip());
    if (!exclude.isAbsolute()) exclude = project.resolve(exclude);
    try {
      Files.createDirectories(exclude.getParent());
      Set<String> lines = Files.exists(exclude) ? new HashSet<>(Files.readAllLines(exclude)) : Set.of();
      if (!lines.contains("/.spark/")) {
        Files.writeString(exclude, "\n# Spark's database and fix worktrees\n/.spark/\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Branch-safe: the fingerprint's letters and digits, at most 12 (a fingerprint is hex; anything else is dropped). */
  static String safe(String fingerprint) {
    String s = fingerprint == null ? "" : fingerprint.toLowerCase().replaceAll("[^a-z0-9]", "");
    if (s.isEmpty()) s = "unknown";
    return s.length() > 12 ? s.substring(0, 12) : s;
  }

  private static String folder(String branch) {
    return branch.replace('/', '-');
  }
}
