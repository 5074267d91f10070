package io.armsr.format;

import java.util.Objects;

/**
 * Where an Edge-to-PSNR table came from (ARM.md 4.2), recorded in every LUT file.
 *
 * @param commandLine the {@code armsr build-lut ...} invocation, or another description
 * @param weights the weights file the table was measured with, as given
 * @param weightsSha256 hex SHA-256 of that file's bytes, so a table can be matched to its weights
 * @param dataFolder the validation data the patches were cut from
 * @param dataImages number of images read from it
 * @param created ISO-8601 instant of writing
 * @param software the program and version that wrote the file
 */
public record LutProvenance(
    String commandLine,
    String weights,
    String weightsSha256,
    String dataFolder,
    int dataImages,
    String created,
    String software) {
  public LutProvenance {
    Objects.requireNonNull(commandLine, "commandLine");
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(weightsSha256, "weightsSha256");
    Objects.requireNonNull(dataFolder, "dataFolder");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(software, "software");
    if (dataImages < 0) {
      throw new IllegalArgumentException("negative image count " + dataImages);
    }
  }
}
