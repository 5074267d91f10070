package io.armsr.testing;

import io.armsr.format.ModelFiles;
import io.armsr.infer.ArmModel;
import io.armsr.model.Backbone;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's committed FSRCNN fixture model ({@code /io/armsr/fixtures/checkpoint-v1.armw} and
 * {@code lut-v1.arml}: small random weights in the project's own formats), for tests that need a
 * real supernet without {@code ../shared}.
 */
public final class FixtureModel {
  private FixtureModel() {}

  /** Copies a resource of {@code /io/armsr/fixtures/} into {@code dir}. */
  public static Path copy(Path dir, String resource) {
    Path p = dir.resolve(resource);
    try (InputStream in =
        FixtureModel.class.getResourceAsStream("/io/armsr/fixtures/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource /io/armsr/fixtures/" + resource);
      }
      Files.copy(in, p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Loads the fixture model (its files copied into {@code dir}). */
  public static ArmModel load(Path dir) {
    return ArmModel.of(
        Backbone.FSRCNN,
        ModelFiles.readWeights(copy(dir, "checkpoint-v1.armw"), Backbone.FSRCNN),
        ModelFiles.readLut(copy(dir, "lut-v1.arml")));
  }
}
