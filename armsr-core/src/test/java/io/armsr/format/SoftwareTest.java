package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Provenance records the version and commit the build knew, not a literal in the sources. */
class SoftwareTest {

  /** The project's version, from the parent pom (the one place it is written). */
  private static String pomVersion() throws IOException {
    String pom = Files.readString(Shared.inRepo("pom.xml"));
    Matcher m =
        Pattern.compile("<artifactId>armsr-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertTrue(m.find(), "no version in pom.xml");
    return m.group(1);
  }

  @Test
  void theVersionIsTheBuildsAndTheCommitIsRecordedWhenKnown() throws IOException {
    assertEquals(pomVersion(), Software.VERSION);
    Optional<String> commit = Software.commit();
    String expected = "armsr " + pomVersion() + commit.map(c -> " (" + c + ")").orElse("");
    assertEquals(expected, Software.NAME_AND_VERSION);
    commit.ifPresent(
        c -> assertTrue(c.matches("[0-9a-f]{7,40}(-dirty)?"), "not an abbreviated commit: " + c));
    // Built from this git checkout (when git is there), the commit is the checkout's HEAD.
    Path root = Shared.inRepo(".");
    if (Files.exists(root.resolve(".git")) && commit.isPresent()) {
      ProcessBuilder pb = new ProcessBuilder("git", "rev-parse", "HEAD").directory(root.toFile());
      try {
        Process p = pb.start();
        String head = new String(p.getInputStream().readAllBytes()).strip();
        if (p.waitFor() == 0 && !head.isEmpty()) {
          String abbrev = commit.get().replace("-dirty", "");
          // The tests run on the build of this HEAD or, mid-commit, of its parent.
          assertTrue(head.length() == 40 && abbrev.length() >= 7, head + " / " + abbrev);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void unfilledOrBlankValuesAreUnknown() {
    assertEquals(Optional.empty(), Software.known(null));
    assertEquals(Optional.empty(), Software.known(" "));
    assertEquals(Optional.empty(), Software.known("${git.commit.id.abbrev}"));
    assertEquals(Optional.of("0.1.0"), Software.known("0.1.0"));
    assertFalse(Software.NAME_AND_VERSION.contains("${"), Software.NAME_AND_VERSION);
  }
}
