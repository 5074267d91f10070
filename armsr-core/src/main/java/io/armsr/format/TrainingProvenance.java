package io.armsr.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Where a set of trained weights came from, recorded in every weights file and checkpoint (STYLE:
 * provenance in every artefact, as Tribuo's models carry theirs).
 *
 * @param commandLine the {@code armsr train ...} invocation, or another description of the origin
 * @param data the training folders and how many images each contributed
 * @param seed the training seed
 * @param iterations iterations completed when the file was written
 * @param created ISO-8601 instant of writing
 * @param software the program and version that wrote the file
 * @param finalLoss mean L1 loss over the last logged interval; NaN if none was measured
 * @param finalValidationPsnr validation PSNR per width (subnets 1..3) at the last validation; empty
 *     if none was run
 * @param earlier the runs this one continued, oldest first: the provenance of the checkpoint it
 *     resumed or of the weights it started from ({@code --init}), and theirs before them, each
 *     without its own {@code earlier}; empty for a run from scratch or from official weights
 */
public record TrainingProvenance(
    String commandLine,
    List<DataFolder> data,
    long seed,
    long iterations,
    String created,
    String software,
    double finalLoss,
    double[] finalValidationPsnr,
    List<TrainingProvenance> earlier) {

  /** A training data folder and the number of images read from it. */
  public record DataFolder(String folder, int images) {
    public DataFolder {
      Objects.requireNonNull(folder, "folder");
      if (images < 0) {
        throw new IllegalArgumentException("negative image count " + images);
      }
    }
  }

  public TrainingProvenance {
    Objects.requireNonNull(commandLine, "commandLine");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(software, "software");
    data = List.copyOf(data);
    finalValidationPsnr = finalValidationPsnr.clone();
    earlier = List.copyOf(earlier);
    if (iterations < 0) {
      throw new IllegalArgumentException("negative iteration count " + iterations);
    }
  }

  @Override
  public double[] finalValidationPsnr() {
    return finalValidationPsnr.clone();
  }

  /**
   * The whole chain up to and including this run, oldest first: {@link #earlier} followed by this
   * run without its {@code earlier}. What a run that continues this one records as its {@code
   * earlier}.
   */
  public List<TrainingProvenance> chain() {
    List<TrainingProvenance> out = new ArrayList<>(earlier);
    out.add(
        new TrainingProvenance(
            commandLine,
            data,
            seed,
            iterations,
            created,
            software,
            finalLoss,
            finalValidationPsnr,
            List.of()));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrainingProvenance p
        && commandLine.equals(p.commandLine)
        && data.equals(p.data)
        && seed == p.seed
        && iterations == p.iterations
        && created.equals(p.created)
        && software.equals(p.software)
        && Double.compare(finalLoss, p.finalLoss) == 0
        && Arrays.equals(finalValidationPsnr, p.finalValidationPsnr)
        && earlier.equals(p.earlier);
  }

  @Override
  public int hashCode() {
    return Objects.hash(commandLine, data, seed, iterations, created, earlier)
        + 31 * Arrays.hashCode(finalValidationPsnr);
  }
}
