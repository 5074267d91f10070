package io.armsr.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the repository and {@code ../shared} (data, official checkpoints, golden files) beside
 * it, or the folder named by the {@code ARMSR_SHARED} environment variable.
 *
 * <p>Tests that need {@code ../shared} call {@link #require(String)}: when the path is absent the
 * test is skipped with a message, unless the system property {@code armsr.requireShared} is {@code
 * true} ({@code .ci/run} sets it), under which it fails, so that CI cannot pass with the parity and
 * acceptance tests silently skipped.
 */
public final class Shared {
  private Shared() {}

  /**
   * The repository root: the system property {@code armsr.root} (the build sets it for every
   * module), else the parent of the working directory (a module's folder).
   */
  public static Path repo() {
    String root = System.getProperty("armsr.root");
    Path p = root != null && !root.isBlank() ? Path.of(root) : Path.of("..");
    return p.toAbsolutePath().normalize();
  }

  /** A path inside the repository, e.g. {@code examples/kodim23-lr.png}. */
  public static Path inRepo(String relative) {
    return repo().resolve(relative);
  }

  public static Path root() {
    String env = System.getenv("ARMSR_SHARED");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return repo().resolve("../shared").normalize();
  }

  /** True if a missing {@code ../shared} path fails the test instead of skipping it. */
  public static boolean required() {
    return Boolean.getBoolean("armsr.requireShared");
  }

  /**
   * Resolves {@code relative} under the shared root; when it is absent, skips the calling test, or
   * fails it if {@link #required()}.
   */
  public static Path require(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p) && required()) {
      fail(p + " is missing, and armsr.requireShared is set: ../shared is absent or incomplete");
    }
    assumeTrue(
        Files.exists(p), () -> "skipped: " + p + " is absent (../shared not beside the project)");
    return p;
  }
}
