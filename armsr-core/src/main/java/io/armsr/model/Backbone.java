package io.armsr.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The three ARM backbones (ARM.md 1.2-1.4), all x4, each a slimmable supernet whose sub-networks
 * are indexed 0..3: subnet 0 is the parameter-free bicubic branch, subnets 1..3 are the widths in
 * {@link #widths()} (index 0 holds width 0).
 *
 * <p>Two cost measures are kept per subnet, for a 32x32 LR patch:
 *
 * <ul>
 *   <li>{@link #paperFlops(int)}: the official {@code cost_list} (ARM.md 3.2), 2 x multiply-adds,
 *       with FSRCNN's transposed convolution counted on the HR output grid as if it were a normal
 *       convolution (16x its true cost) and +1 per PReLU call. Routing and reported FLOPs use this
 *       so that they reproduce the paper and its logs exactly.
 *   <li>{@link #multiplyAdds(int)}: the true multiply-adds of the forward pass, shown to users
 *       beside the paper's figure.
 * </ul>
 */
public enum Backbone {
  /** US-FSRCNN: nf 56, s 12, m 4, widths 16/36/56, x4 transposed-conv tail (ARM.md 1.2). */
  FSRCNN("fsrcnn", 56, new int[] {0, 16, 36, 56}),
  /** US-CARN-M: nf 64, 4 groups, widths 36/52/64 (ARM.md 1.3). */
  CARN("carn", 64, new int[] {0, 36, 52, 64}),
  /** US-MSRResNet: nf 64, 16 blocks, widths 36/52/64, bilinear x4 skip (ARM.md 1.4). */
  SRRESNET("srresnet", 64, new int[] {0, 36, 52, 64});

  /** Upscaling factor of every backbone. */
  public static final int SCALE = 4;

  /** Number of subnets including the bicubic branch. */
  public static final int SUBNETS = 4;

  private final String id;
  private final int fullWidth;
  private final int[] widths;

  Backbone(String id, int fullWidth, int[] widths) {
    this.id = id;
    this.fullWidth = fullWidth;
    this.widths = widths;
  }

  /**
   * The most patches a forward pass should hold when small images share passes (the engine's joint
   * batches). FSRCNN works at the LR resolution (56 channels) and gains a little from every larger
   * batch, up to 64. CARN-M and MSRResNet keep 64-channel activations at two and four times the
   * resolution, about 25 MB per 40x40 window at a time: a pass of 64 holds 1.6 GB, and on one
   * libtorch thread CARN-M runs its fastest at batches of 4 to 8 (26.6, 28.9, 25.9 and 22.6
   * patches/s at 1, 4, 8 and 64; docs/BENCHMARKS.md), so 8.
   */
  public int jointBatch() {
    return this == FSRCNN ? 64 : 8;
  }

  /** The lower-case name used on the command line and in files ({@code fsrcnn}, ...). */
  public String id() {
    return id;
  }

  /** The full width {@code nf}, the channel count of every width-switchable weight. */
  public int fullWidth() {
    return fullWidth;
  }

  /** Widths by subnet index, {@code [0, w1, w2, w3]}; a copy. */
  public int[] widths() {
    return widths.clone();
  }

  /** Width of subnet {@code j} (0 for the bicubic branch). */
  public int width(int subnet) {
    checkSubnet(subnet);
    return widths[subnet];
  }

  /**
   * The official FLOPs of subnet {@code j} on a 32x32 LR patch (ARM.md 3.2, equal to the logged
   * {@code cost_list}); 0 for bicubic.
   */
  public long paperFlops(int subnet) {
    long w = width(subnet);
    if (w == 0) {
      return 0;
    }
    return switch (this) {
      case FSRCNN -> 8_165_376L * w + 10_616_836L;
      case CARN -> 267_264L * w * w + 940_032L * w;
      case SRRESNET -> 1_253_376L * w * w + 940_032L * w;
    };
  }

  /**
   * True multiply-adds of subnet {@code j} on a 32x32 LR patch: the transposed convolution counted
   * on its LR input (81 taps x w x 3 per LR pixel), PReLU and bias ignored; 0 for bicubic.
   */
  public long multiplyAdds(int subnet) {
    long w = width(subnet);
    if (w == 0) {
      return 0;
    }
    return switch (this) {
      // head 75w + shrink 12w + expand 12w + deconv 243w per LR pixel, mapping 4*9*144.
      case FSRCNN -> 1024L * (342L * w + 4L * 9 * 12 * 12);
      case CARN -> 133_632L * w * w + 470_016L * w;
      case SRRESNET -> 626_688L * w * w + 470_016L * w;
    };
  }

  /** Official FLOPs of every subnet, {@code cost_list} as doubles. */
  public double[] paperFlopsList() {
    double[] out = new double[SUBNETS];
    for (int j = 0; j < SUBNETS; j++) {
      out[j] = paperFlops(j);
    }
    return out;
  }

  /** Parses {@code fsrcnn|carn|srresnet} (case-insensitive). */
  public static Backbone parse(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (Backbone b : values()) {
      if (b.id.equals(n)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        "unknown backbone '"
            + name
            + "' (expected one of "
            + Arrays.stream(values()).map(Backbone::id).toList()
            + ")");
  }

  private static void checkSubnet(int subnet) {
    if (subnet < 0 || subnet >= SUBNETS) {
      throw new IllegalArgumentException("subnet must be 0.." + (SUBNETS - 1) + ": " + subnet);
    }
  }
}
