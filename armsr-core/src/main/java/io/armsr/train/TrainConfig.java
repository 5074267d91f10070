package io.armsr.train;

import io.armsr.model.Backbone;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The settings of one training run; checks itself on construction.
 *
 * @param backbone the supernet to train
 * @param iterations T, the length of the run and of the cosine schedule (ARM.md 2.3: 2,000,000)
 * @param batch patches per iteration (official 16)
 * @param lr0 initial learning rate ({@link #defaultLearningRate})
 * @param seed seeds the initial weights and every iteration's random stream
 * @param sampler the width sampling rule (official {@code flops2})
 * @param out the final weights file; the checkpoint ({@link #checkpointFile()}) and the CSV log
 *     ({@link #logFile()}) sit beside it
 * @param checkpointEvery write the checkpoint every this many iterations (and at the end)
 * @param validateEvery append a CSV row (mean loss, validation PSNR per width) this often
 * @param logEvery print a progress line this often when stderr is not a terminal
 * @param stopAt stop after this iteration (T for a full run; less to train in pieces)
 */
public record TrainConfig(
    Backbone backbone,
    long iterations,
    int batch,
    double lr0,
    long seed,
    WidthSampler.Kind sampler,
    Path out,
    long checkpointEvery,
    long validateEvery,
    long logEvery,
    long stopAt) {

  public TrainConfig {
    Objects.requireNonNull(backbone, "backbone");
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(out, "out");
    positive("the number of iterations", iterations);
    positive("the batch size", batch);
    positive("the checkpoint interval", checkpointEvery);
    positive("the validation interval", validateEvery);
    positive("the progress interval", logEvery);
    if (!(lr0 > 0) || Double.isInfinite(lr0) || lr0 < CosineSchedule.ETA_MIN) {
      throw new IllegalArgumentException(
          "the learning rate must be a finite number of at least "
              + CosineSchedule.ETA_MIN
              + ": "
              + lr0);
    }
    if (stopAt < 1 || stopAt > iterations) {
      throw new IllegalArgumentException(
          "the last iteration to run must be in 1.."
              + iterations
              + " (the run's length): "
              + stopAt);
    }
  }

  /** The official initial learning rate (ARM.md 2.3): 1e-3 for FSRCNN, 2e-4 otherwise. */
  public static double defaultLearningRate(Backbone backbone) {
    return backbone == Backbone.FSRCNN ? 1e-3 : 2e-4;
  }

  public CosineSchedule schedule() {
    return new CosineSchedule(lr0, CosineSchedule.ETA_MIN, iterations);
  }

  /** {@code <out>.ckpt}: the rolling checkpoint (weights + Adam state), replaced atomically. */
  public Path checkpointFile() {
    return out.resolveSibling(out.getFileName() + ".ckpt");
  }

  /** {@code <out>.csv}: one row per validation, appended across resumes. */
  public Path logFile() {
    return out.resolveSibling(out.getFileName() + ".csv");
  }

  private static void positive(String what, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(what + " must be positive: " + value);
    }
  }
}
