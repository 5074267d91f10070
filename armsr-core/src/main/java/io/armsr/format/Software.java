package io.armsr.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.Properties;

/**
 * The name, version and commit written into every file armsr makes (provenance) and shown by {@code
 * armsr --version}.
 *
 * <p>They come from {@code io/armsr/build.properties}, which the build fills in: the Maven project
 * version, and the git commit the sources were built from when they are a git checkout (with {@code
 * -dirty} when they had uncommitted changes). A build from sources without git records the version
 * only; so does running from classes that were not built by Maven (the placeholders are left
 * unfilled).
 */
public final class Software {
  /** The resource the build fills in. */
  static final String RESOURCE = "/io/armsr/build.properties";

  private static final String NAME = "armsr";

  private static final Properties BUILD = load();

  /** The Maven version of this build, e.g. {@code 0.1.0-SNAPSHOT}; {@code unknown} if none. */
  public static final String VERSION = known(BUILD.getProperty("version")).orElse("unknown");

  /** E.g. {@code armsr 0.1.0-SNAPSHOT (3f2a9c0d1e4b)}; the commit only when the build knew it. */
  public static final String NAME_AND_VERSION =
      NAME + " " + VERSION + commit().map(c -> " (" + c + ")").orElse("");

  private Software() {}

  /**
   * The abbreviated git commit this build was made from, with {@code -dirty} if the working tree
   * had changes; empty when the sources were not a git checkout.
   */
  public static Optional<String> commit() {
    return known(BUILD.getProperty("commit"))
        .map(c -> "true".equals(BUILD.getProperty("dirty")) ? c + "-dirty" : c);
  }

  /** A filtered value, or empty for a missing, blank or unfilled ({@code ${...}}) one. */
  static Optional<String> known(String value) {
    if (value == null || value.isBlank() || value.contains("${")) {
      return Optional.empty();
    }
    return Optional.of(value.strip());
  }

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Software.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
    return p;
  }
}
