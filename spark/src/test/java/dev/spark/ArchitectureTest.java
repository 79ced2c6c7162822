package dev.spark;

import dev.spark.support.Repo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The layout of docs/ARCHITECTURE.md, read off the sources: packages in pipeline order, each using
 * only packages before it (so no two packages depend on each other, directly or through others), and
 * no main source file over 400 lines. A package is "used" by an import or by a fully qualified name
 * in code (comments and strings do not count).
 */
class ArchitectureTest {
  /** Pipeline order: each package may use only those before it. "" is dev.spark itself. */
  static final List<String> ORDER = List.of(
      "event", "config", "metrics", "bus", "client", "issues", "ingest", "ingest.sentry", "storage", "query",
      "stream", "janitor", "alerts", "agent", "mcp", "web", "", "cli");
  static final int MAX_LINES = 400;
  /** The server's sources and spark-client's (event, bus, client: what an application embeds). */
  static final List<Path> MAINS = List.of(Repo.path("spark/src/main/java/dev/spark"), Repo.path("spark-client/src/main/java/dev/spark"));
  static final List<String> CLIENT_PACKAGES = List.of("event", "bus", "client");

  private static final Pattern COMMENTS_AND_STRINGS =
      Pattern.compile("//[^\\n]*|/\\*.*?\\*/|\"\"\".*?\"\"\"|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\])+'", Pattern.DOTALL);
  private static final Pattern IMPORT_OR_PACKAGE = Pattern.compile("(?m)^(?:import|package) [^\\n]*$");
  private static final Pattern INLINE_NAME =
      Pattern.compile("(?<![\\w.])(?:java|javax|io|dev|org|com)\\.(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*");
  /** A reference to a class in dev.spark or a package under it (subpackages too: dev.spark.ingest.sentry.X). */
  private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.spark\\.((?:[a-z][a-z0-9]*\\.)*)[A-Z]");

  @Test
  void packagesUseOnlyPackagesBeforeThemInPipelineOrder() {
    Map<String, Set<String>> uses = packageUses();
    List<String> wrong = new ArrayList<>();
    for (var e : uses.entrySet()) {
      String from = e.getKey();
      if (!ORDER.contains(from)) {
        wrong.add("package " + name(from) + " is not in the pipeline order (add it to docs/ARCHITECTURE.md and ORDER)");
        continue;
      }
      for (String to : e.getValue()) {
        if (ORDER.indexOf(to) > ORDER.indexOf(from)) wrong.add(name(from) + " uses " + name(to) + ", which comes after it");
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void theClientModuleHoldsTheFirstPackagesInPipelineOrderAndNoPackageIsSplitAcrossModules() {
    Map<String, Set<Path>> roots = new TreeMap<>();
    for (Path file : javaFiles()) roots.computeIfAbsent(packageOf(file), k -> new HashSet<>()).add(rootOf(file));
    List<String> client = new ArrayList<>();
    for (var e : roots.entrySet()) {
      assertEquals(1, e.getValue().size(), name(e.getKey()) + " is in both modules");
      if (e.getValue().contains(MAINS.get(1))) client.add(e.getKey());
    }
    assertEquals(Set.copyOf(CLIENT_PACKAGES), Set.copyOf(client), "spark-client's packages");
  }

  @Test
  void noImportCycleBetweenPackages() {
    List<List<String>> cycles = cycles(packageUses());
    assertEquals(List.of(), cycles, "packages that depend on each other");
  }

  @Test
  void cycleDetectionFindsACycle() {
    Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertEquals(List.of(List.of("a", "b", "c")), cycles(graph));
  }

  @Test
  void noMainSourceFileOverFourHundredLines() throws IOException {
    Map<String, Integer> over = new TreeMap<>();
    for (Path file : javaFiles()) {
      int lines = read(file).split("\n", -1).length - 1;
      String name = rootOf(file).relativize(file).toString();
      if (lines > MAX_LINES) over.put(name, lines);
    }
    // The dashboard's scripts too (webroot/assets: one file per view, see README "Dashboard").
    Path webroot = Repo.path("spark/src/main/resources/webroot");
    try (Stream<Path> files = Files.walk(webroot)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".js")).toList()) {
        int lines = read(file).split("\n", -1).length - 1;
        if (lines > MAX_LINES) over.put(webroot.relativize(file).toString(), lines);
      }
    }
    assertEquals(Map.of(), over, "main source files over " + MAX_LINES + " lines: split them by job");
  }

  /** Vert.x's internal packages and Micrometer's impl classes change without notice between versions. */
  @Test
  void mainCodeUsesOnlyPublicVertxAndMicrometerApis() {
    Pattern internal = Pattern.compile("^import (static )?(io\\.vertx\\.[\\w.]*\\.(internal|impl)\\.|io\\.micrometer\\.[\\w.]*\\.impl\\.)[^;]*;",
        Pattern.MULTILINE);
    Map<String, String> found = new TreeMap<>();
    for (Path file : javaFiles()) {
      Matcher m = internal.matcher(read(file));
      if (m.find()) found.put(rootOf(file).relativize(file).toString(), m.group());
    }
    assertEquals(Map.of(), found);
    assertTrue(internal.matcher("import io.vertx.core.internal.ContextInternal;").find(), "the check finds an internal import");
  }

  @Test
  void mainCodeImportsWhatItUsesInsteadOfWritingFullyQualifiedNames() {
    Map<String, List<String>> inline = new TreeMap<>();
    for (Path file : javaFiles()) {
      String name = rootOf(file).relativize(file).toString();
      List<String> found = inlineNames(read(file));
      if (!found.isEmpty()) inline.put(name, found);
    }
    assertEquals(Map.of(), inline, "write an import (comments and strings may name classes in full)");
  }

  @Test
  void inlineNamesAreFoundInCodeOnly() {
    String source = "package a.b;\nimport java.util.List;\n/** {@link java.util.Map} */\nclass X {\n"
        + "  String s = \"java.util.Set\";\n  Object o = io.vertx.core.json.Json.decodeValue(s);\n  java.util.Map.Entry<String, String> e;\n}\n";
    assertEquals(List.of("io.vertx.core.json.Json", "java.util.Map"), inlineNames(source));
  }

  static List<String> inlineNames(String source) {
    String code = IMPORT_OR_PACKAGE.matcher(COMMENTS_AND_STRINGS.matcher(source).replaceAll(" ")).replaceAll(" ");
    List<String> found = new ArrayList<>();
    Matcher m = INLINE_NAME.matcher(code);
    while (m.find()) found.add(m.group());
    return found;
  }

  @Test
  void everyPackageIsUsedOrUses() {
    assertTrue(packageUses().size() >= 10, "the scan found the packages: " + packageUses().keySet());
  }

  static Map<String, Set<String>> packageUses() {
    Map<String, Set<String>> uses = new TreeMap<>();
    for (Path file : javaFiles()) {
      String pkg = packageOf(file);
      Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
      Matcher m = REFERENCE.matcher(COMMENTS_AND_STRINGS.matcher(read(file)).replaceAll(" "));
      while (m.find()) {
        String to = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
        if (!to.equals(pkg)) used.add(to);
      }
    }
    return uses;
  }

  /** Strongly connected components of more than one package (Tarjan), each sorted. */
  static List<List<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new LinkedHashMap<>();
    Map<String, Integer> low = new LinkedHashMap<>();
    List<String> stack = new ArrayList<>();
    List<List<String>> found = new ArrayList<>();
    int[] counter = {0};
    for (String v : new TreeSet<>(graph.keySet())) {
      if (!index.containsKey(v)) connect(v, graph, index, low, stack, found, counter);
    }
    return found;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
      List<String> stack, List<List<String>> found, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.add(v);
    for (String w : new TreeSet<>(graph.getOrDefault(v, Set.of()))) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, found, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.remove(stack.size() - 1);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) found.add(component.stream().sorted().toList());
    }
  }

  private static String packageOf(Path file) {
    Path dir = rootOf(file).relativize(file).getParent();
    return dir == null ? "" : dir.toString().replace('/', '.');
  }

  private static String name(String pkg) {
    return pkg.isEmpty() ? "dev.spark" : "dev.spark." + pkg;
  }

  private static List<Path> javaFiles() {
    List<Path> all = new ArrayList<>();
    for (Path main : MAINS) {
      try (Stream<Path> files = Files.walk(main)) {
        files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(all::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return all;
  }

  private static Path rootOf(Path file) {
    return MAINS.stream().filter(file::startsWith).findFirst().orElseThrow();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
