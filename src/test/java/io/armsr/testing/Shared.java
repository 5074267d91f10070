package io.armsr.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared} (data, official checkpoints, golden files) beside the project root, or
 * the folder named by the {@code ARMSR_SHARED} environment variable. Tests that need it call {@link
 * #require(String)}, which skips the test with a message when the path is absent.
 */
public final class Shared {
  private Shared() {}

  public static Path root() {
    String env = System.getenv("ARMSR_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.dir")).resolve("../shared").normalize();
  }

  /** Resolves {@code relative} under the shared root, skipping the calling test if it is absent. */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    assumeTrue(
        Files.exists(p), () -> "skipped: " + p + " is absent (../shared not beside the project)");
    return p;
  }
}
