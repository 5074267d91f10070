package io.armsr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.Shared;
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
 * The library speaks in its own terms: no string literal in these packages names a command-line
 * flag ({@code "--batch must be ..."}). The command line checks its flags itself and maps the
 * library's errors to them.
 */
class LibraryMessagesTest {
  static final List<String> PACKAGES =
      List.of("image", "imagefile", "model", "lut", "torch", "format", "train");

  /** A string literal holding {@code --word}. */
  private static final Pattern FLAG_IN_LITERAL =
      Pattern.compile("\"(?:[^\"\\\\\\n]|\\\\.)*--[a-z]");

  @Test
  void noMessageNamesACommandLineFlag() throws IOException {
    List<String> found = new ArrayList<>();
    for (String pkg : PACKAGES) {
      Path root = Shared.inRepo("armsr-core/src/main/java/io/armsr/" + pkg);
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) {
              continue;
            }
            Matcher m = FLAG_IN_LITERAL.matcher(line);
            if (m.find()) {
              found.add(pkg + "/" + f.getFileName() + ":" + (i + 1) + ": " + line);
            }
          }
        }
      }
    }
    assertTrue(found.isEmpty(), "library messages naming command-line flags: " + found);
  }
}
