package io.armsr.train;

import io.armsr.model.Backbone;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Chooses which sub-networks an iteration trains. Subnet 0 (bicubic) has no parameters and is never
 * drawn (ARM.md 2.4).
 *
 * <ul>
 *   <li>{@link Kind#FLOPS2} (the official rule, ARM.md 2.4): one width per iteration, {@code P(j) ∝
 *       FLOPs_j²} with the paper FLOPs of ARM.md 3.2, which the code uses although the paper's
 *       wording is unverified; FSRCNN gets 0.0602 / 0.2797 / 0.6601.
 *   <li>{@link Kind#UNIFORM}: one width, each with probability 1/3.
 *   <li>{@link Kind#SANDWICH}: the sandwich rule of slimmable networks (Yu and Huang, US-Nets): the
 *       smallest and the largest width every iteration, plus one width drawn uniformly from all
 *       three (with three discrete widths, "a random width in between" could only ever be the
 *       middle one, which would make the rule deterministic). Not part of ARM; the three losses are
 *       summed, i.e. their gradients accumulate into one optimizer step.
 *   <li>{@link Kind#FULL}: the full width only. Not part of ARM: a short final phase that lets the
 *       full width, which every width's weights are prefixes of, specialise after a {@code flops2}
 *       run has shared the weights among all widths (docs/TRAINING.md).
 * </ul>
 */
public final class WidthSampler {

  /** The sampling rules; {@link #id()} is the command-line name. */
  public enum Kind {
    FLOPS2("flops2"),
    UNIFORM("uniform"),
    SANDWICH("sandwich"),
    FULL("full");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    /** Parses {@code flops2|uniform|sandwich|full} (case-insensitive). */
    public static Kind parse(String name) {
      for (Kind k : values()) {
        if (k.id.equals(name.toLowerCase(Locale.ROOT))) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown sampler '" + name + "' (expected flops2, uniform, sandwich or full)");
    }
  }

  private final Kind kind;
  private final double[] probabilities;
  private final double[] cumulative;

  public WidthSampler(Backbone backbone, Kind kind) {
    this.kind = kind;
    this.probabilities = probabilities(backbone, kind);
    this.cumulative = new double[Backbone.SUBNETS];
    double sum = 0;
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      sum += probabilities[j];
      cumulative[j] = sum;
    }
  }

  public Kind kind() {
    return kind;
  }

  /**
   * The probability of drawing subnet j (index 0 = bicubic, always 0) for a single-width rule; for
   * {@link Kind#SANDWICH} the probabilities of its one random draw.
   */
  public double[] probabilities() {
    return probabilities.clone();
  }

  static double[] probabilities(Backbone backbone, Kind kind) {
    double[] p = new double[Backbone.SUBNETS];
    double sum = 0;
    for (int j = 1; j < Backbone.SUBNETS; j++) {
      double flops = backbone.paperFlops(j);
      p[j] =
          switch (kind) {
            case FLOPS2 -> flops * flops;
            case FULL -> j == Backbone.SUBNETS - 1 ? 1.0 : 0.0;
            case UNIFORM, SANDWICH -> 1.0;
          };
      sum += p[j];
    }
    for (int j = 1; j < Backbone.SUBNETS; j++) {
      p[j] /= sum;
    }
    return p;
  }

  /** The subnets (1..3) one iteration trains, in the order their passes run. */
  public int[] draw(SplittableRandom random) {
    int drawn = drawOne(random);
    return kind == Kind.SANDWICH ? new int[] {1, Backbone.SUBNETS - 1, drawn} : new int[] {drawn};
  }

  private int drawOne(SplittableRandom random) {
    // Inverse CDF, as random.choices does: the first j with u < cumulative[j].
    double u = random.nextDouble() * cumulative[Backbone.SUBNETS - 1];
    for (int j = 1; j < Backbone.SUBNETS - 1; j++) {
      if (u < cumulative[j]) {
        return j;
      }
    }
    return Backbone.SUBNETS - 1;
  }
}
