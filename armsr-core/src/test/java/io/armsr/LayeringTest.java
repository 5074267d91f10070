package io.armsr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The architecture as docs/DESIGN.md draws it, checked on the sources of every module: each module
 * holds exactly its packages, dependencies point down the pipeline (a package may import only
 * packages to its left in {@link #ORDER}), and the library module imports no command-line, chart,
 * server or Spark library (the build's enforcer rule checks its dependency tree as well).
 */
class LayeringTest {
  /**
   * Each module and the packages it holds, lowest first: a module's packages are all below the next
   * module's.
   */
  static final Map<String, List<String>> MODULES = new LinkedHashMap<>();

  static {
    MODULES.put(
        "armsr-core",
        List.of(
            "image",
            "imagefile",
            "model",
            "lut",
            "torch",
            "format",
            "route",
            "infer",
            "train",
            "eval"));
    MODULES.put("armsr-server", List.of("server"));
    MODULES.put("armsr-cli", List.of("chart", "cli"));
    MODULES.put("armsr-spark", List.of("spark"));
  }

  /** The packages under {@code io.armsr}, lowest first (docs/DESIGN.md's package table). */
  static final List<String> ORDER = MODULES.values().stream().flatMap(List::stream).toList();

  /** Libraries the core may not import: command line, charts, servers, Spark. */
  static final List<String> NOT_IN_CORE =
      List.of(
          "picocli.",
          "org.jfree.",
          "io.javalin.",
          "org.eclipse.jetty.",
          "jakarta.servlet.",
          "io.micrometer.",
          "org.apache.spark.",
          "org.apache.hadoop.",
          "scala.");

  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?io\\.armsr\\.(\\w+)\\.", Pattern.MULTILINE);
  private static final Pattern ANY_IMPORT =
      Pattern.compile("^import (?:static )?([\\w.]+);", Pattern.MULTILINE);

  @Test
  void everyModuleHoldsItsPackagesAndImportsOnlyLowerLayers() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, List<String>> module : MODULES.entrySet()) {
      Path root = Shared.inRepo(module.getKey() + "/src/main/java/io/armsr");
      assertTrue(Files.isDirectory(root), root + " is missing");
      TreeSet<String> seen = new TreeSet<>();
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          String pkg = root.relativize(f).getName(0).toString();
          seen.add(pkg);
          int level = ORDER.indexOf(pkg);
          assertTrue(level >= 0, "package " + pkg + " is not in the layer order");
          String source = Files.readString(f);
          Matcher m = IMPORT.matcher(source);
          while (m.find()) {
            int target = ORDER.indexOf(m.group(1));
            if (target > level) {
              violations.add(module.getKey() + ": " + pkg + " imports io.armsr." + m.group(1));
            }
          }
          if (module.getKey().equals("armsr-core")) {
            Matcher any = ANY_IMPORT.matcher(source);
            while (any.find()) {
              for (String banned : NOT_IN_CORE) {
                if (any.group(1).startsWith(banned)) {
                  violations.add("armsr-core: " + root.relativize(f) + " imports " + any.group(1));
                }
              }
            }
          }
        }
      }
      assertEquals(
          new TreeSet<>(module.getValue()), seen, module.getKey() + " holds other packages");
    }
    assertTrue(violations.isEmpty(), "layering violations: " + violations);
  }
}
