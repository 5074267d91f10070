package io.armsr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point down the pipeline (docs/DESIGN.md): a package may import only packages to its
 * left in {@link #ORDER}.
 */
class LayeringTest {
  static final List<String> ORDER =
      List.of("image", "model", "lut", "io", "route", "infer", "train", "eval", "cli");

  private static final Pattern IMPORT =
      Pattern.compile("^import (?:static )?io\\.armsr\\.(\\w+)\\.", Pattern.MULTILINE);

  @Test
  void packagesOnlyImportLowerLayers() throws IOException {
    Path root = Path.of("src/main/java/io/armsr");
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String pkg = root.relativize(f).getName(0).toString();
        int level = ORDER.indexOf(pkg);
        assertTrue(level >= 0, "package " + pkg + " is not in the layer order");
        Matcher m = IMPORT.matcher(Files.readString(f));
        while (m.find()) {
          int target = ORDER.indexOf(m.group(1));
          if (target > level) {
            violations.add(root.relativize(f) + " imports io.armsr." + m.group(1));
          }
        }
      }
    }
    assertTrue(violations.isEmpty(), "upward imports: " + violations);
  }
}
