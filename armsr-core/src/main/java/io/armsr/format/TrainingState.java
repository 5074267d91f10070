package io.armsr.format;

import io.armsr.model.StateDict;
import java.util.Objects;

/**
 * Everything besides the weights that a checkpoint needs so that training resumes exactly (ARM.md
 * 2.3-2.4): the configuration that fixes the schedule and the random streams, the number of
 * iterations done, and the Adam state.
 *
 * <p>No random-generator state is stored: the trainer derives every iteration's randomness (the
 * width draw, the crops and the flips) from {@code (seed, iteration)} alone, so {@code seed} and
 * {@code iteration} are the complete RNG state.
 *
 * @param iteration iterations completed (the next one is {@code iteration + 1})
 * @param seed the seed of weight initialisation and of the per-iteration random streams
 * @param sampler the width sampler's name ({@code flops2}, {@code uniform}, {@code sandwich})
 * @param batch patches per iteration
 * @param iterations the total T of the cosine schedule
 * @param lr0 the initial learning rate
 * @param etaMin the schedule's floor
 * @param adam the optimiser state
 */
public record TrainingState(
    long iteration,
    long seed,
    String sampler,
    int batch,
    long iterations,
    double lr0,
    double etaMin,
    AdamState adam) {

  /**
   * PyTorch Adam's state: hyper-parameters, the step count and both moments per parameter, keyed
   * and shaped as the weights.
   */
  public record AdamState(
      long step, double beta1, double beta2, double eps, StateDict expAvg, StateDict expAvgSq) {
    public AdamState {
      Objects.requireNonNull(expAvg, "expAvg");
      Objects.requireNonNull(expAvgSq, "expAvgSq");
      if (step < 0) {
        throw new IllegalArgumentException("negative Adam step " + step);
      }
      if (!expAvg.keys().equals(expAvgSq.keys())) {
        throw new IllegalArgumentException("Adam moments hold different tensors");
      }
    }
  }

  public TrainingState {
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(adam, "adam");
    if (iteration < 0 || iteration > iterations) {
      throw new IllegalArgumentException(
          "iteration " + iteration + " outside 0.." + iterations + " of the schedule");
    }
    if (batch <= 0) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    if (!(lr0 > 0) || !(etaMin >= 0)) {
      throw new IllegalArgumentException("bad learning rates " + lr0 + ", " + etaMin);
    }
  }
}
