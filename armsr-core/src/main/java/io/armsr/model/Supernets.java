package io.armsr.model;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Creates supernets from weights, checks weights against the official layout (ARM.md 7) and makes
 * freshly initialised weights with the official initialisation (ARM.md 1.2-1.4).
 */
public final class Supernets {
  /** DIV2K RGB mean of CARN's MeanShift layers (ARM.md 1.3). */
  static final float[] DIV2K_MEAN = {0.4488f, 0.4371f, 0.4040f};

  /** FSRCNN's PReLU slopes start at PyTorch's default 0.25. */
  static final float PRELU_INIT = 0.25f;

  /** Scale of the Kaiming-normal init of {@code initialize_weights(..., 0.1)}. */
  static final double KAIMING_SCALE = 0.1;

  private Supernets() {}

  /**
   * Builds the supernet of {@code backbone} on {@code manager} after checking that {@code weights}
   * holds exactly the expected keys with the expected shapes.
   *
   * @throws IllegalArgumentException naming the first missing, unexpected or mis-shaped tensor
   */
  public static AbstractSupernet create(Backbone backbone, StateDict weights, NDManager manager) {
    validate(backbone, weights);
    return switch (backbone) {
      case FSRCNN -> new Fsrcnn(weights, manager);
      case CARN -> new Carn(weights, manager);
      case SRRESNET -> new SrResNet(weights, manager);
    };
  }

  /**
   * Checks keys and shapes against {@link #expectedShapes}: missing keys first, then unexpected
   * ones, then shapes, in checkpoint order.
   */
  public static void validate(Backbone backbone, StateDict weights) {
    Map<String, long[]> expected = expectedShapes(backbone);
    for (String key : expected.keySet()) {
      if (!weights.contains(key)) {
        throw new IllegalArgumentException(
            "missing tensor '" + key + "' for backbone " + backbone.id());
      }
    }
    for (String key : weights.keys()) {
      if (!expected.containsKey(key)) {
        throw new IllegalArgumentException(
            "unexpected tensor '" + key + "' for backbone " + backbone.id());
      }
    }
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] have = weights.get(e.getKey()).shape();
      if (!Arrays.equals(have, e.getValue())) {
        throw new IllegalArgumentException(
            "tensor '"
                + e.getKey()
                + "' has shape "
                + Arrays.toString(have)
                + ", expected "
                + Arrays.toString(e.getValue())
                + " for backbone "
                + backbone.id());
      }
    }
  }

  /**
   * The official state-dict keys and full shapes of {@code backbone}, in checkpoint order (ARM.md
   * 7; SRResNet from its code). Conv weights are (out, in/groups, k, k); FSRCNN's {@code
   * tail_conv.weight} is ConvTranspose2d layout (in, out, k, k).
   */
  public static Map<String, long[]> expectedShapes(Backbone backbone) {
    Map<String, long[]> m = new LinkedHashMap<>();
    switch (backbone) {
      case FSRCNN -> {
        int nf = backbone.fullWidth();
        int s = Fsrcnn.SHRINK;
        conv(m, "head_conv.0", nf, 3, 5);
        m.put("head_conv.1.weight", new long[] {1});
        conv(m, "body_conv.0.0", s, nf, 1);
        m.put("body_conv.0.1.weight", new long[] {1});
        for (int i = 1; i <= Fsrcnn.MAPPING; i++) {
          conv(m, "body_conv." + i, s, s, 3);
        }
        m.put("body_conv.5.weight", new long[] {1});
        conv(m, "body_conv.6.0", nf, s, 1);
        m.put("body_conv.6.1.weight", new long[] {1});
        m.put("tail_conv.weight", new long[] {nf, 3, 9, 9});
        m.put("tail_conv.bias", new long[] {3});
      }
      case CARN -> {
        int nf = backbone.fullWidth();
        int g = nf / Carn.GROUPS;
        conv(m, "sub_mean", 3, 3, 1);
        conv(m, "add_mean", 3, 3, 1);
        conv(m, "entry", nf, 3, 3);
        for (int b = 1; b <= 3; b++) {
          String k = "b" + b + ".";
          conv(m, k + "b1.body.0", nf, g, 3);
          conv(m, k + "b1.body.2", nf, g, 3);
          conv(m, k + "b1.body.4", nf, nf, 1);
          for (int c = 1; c <= 3; c++) {
            conv(m, k + "c" + c + ".0", nf, (c + 1) * nf, 1);
          }
        }
        for (int c = 1; c <= 3; c++) {
          conv(m, "c" + c + ".0", nf, (c + 1) * nf, 1);
        }
        conv(m, "upsample.up.body.0", 4 * nf, g, 3);
        conv(m, "upsample.up.body.3", 4 * nf, g, 3);
        conv(m, "exit", 3, nf, 3);
      }
      case SRRESNET -> {
        int nf = backbone.fullWidth();
        conv(m, "conv_first", nf, 3, 3);
        for (int i = 0; i < SrResNet.BLOCKS; i++) {
          conv(m, "recon_trunk." + i + ".conv1", nf, nf, 3);
          conv(m, "recon_trunk." + i + ".conv2", nf, nf, 3);
        }
        conv(m, "upconv1", 4 * nf, nf, 3);
        conv(m, "upconv2", 4 * nf, nf, 3);
        conv(m, "HRconv", nf, nf, 3);
        conv(m, "conv_last", 3, nf, 3);
      }
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Fresh weights with the official initialisation, reproducible from {@code seed} (one {@link
   * Random} drawn in checkpoint key order):
   *
   * <ul>
   *   <li>FSRCNN (ARM.md 1.2): Conv2d weights Kaiming-normal (fan_in, gain sqrt 2) x 0.1, zero
   *       bias; PReLU 0.25; the tail is a ConvTranspose2d, which {@code initialize_weights} skips,
   *       so it keeps PyTorch's default init.
   *   <li>CARN (ARM.md 1.3): PyTorch's default init everywhere; MeanShift identity weights with
   *       bias -mean (sub) and +mean (add).
   *   <li>SRResNet (ARM.md 1.4): Kaiming-normal x 0.1, zero bias, residual blocks included.
   * </ul>
   *
   * PyTorch's default is {@code kaiming_uniform(a = sqrt 5)}, i.e. U(+-1/sqrt(fan_in)) for weight
   * and bias, with {@code fan_in = size(1) * k * k} of the weight tensor. For a ConvTranspose2d
   * (layout (in, out, k, k)) that is {@code out * k * k} = 3 * 81 for FSRCNN's tail.
   */
  public static StateDict initialise(Backbone backbone, long seed) {
    Random random = new Random(seed);
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    Map<String, long[]> shapes = expectedShapes(backbone);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      String key = e.getKey();
      long[] shape = e.getValue();
      float[] data = new float[(int) numel(shape)];
      if (key.endsWith(".bias")) {
        long[] weightShape = shapes.get(key.substring(0, key.length() - 5) + ".weight");
        initBias(backbone, key, weightShape, data, random);
      } else if (shape.length == 1) {
        Arrays.fill(data, PRELU_INIT); // FSRCNN PReLU slopes
      } else {
        initWeight(backbone, key, shape, data, random);
      }
      out.put(key, new WeightTensor(shape, data));
    }
    return new StateDict(out);
  }

  private static void initWeight(
      Backbone backbone, String key, long[] shape, float[] data, Random random) {
    long fanIn = shape[1] * shape[2] * shape[3];
    boolean kaiming =
        backbone == Backbone.SRRESNET
            || (backbone == Backbone.FSRCNN && !key.equals("tail_conv.weight"));
    if (kaiming) {
      double std = Math.sqrt(2.0 / fanIn) * KAIMING_SCALE;
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) (random.nextGaussian() * std);
      }
    } else if (key.equals("sub_mean.weight") || key.equals("add_mean.weight")) {
      for (int c = 0; c < 3; c++) {
        data[c * 3 + c] = 1f; // identity / std with std = 1
      }
    } else {
      uniform(data, 1.0 / Math.sqrt(fanIn), random);
    }
  }

  private static void initBias(
      Backbone backbone, String key, long[] weightShape, float[] data, Random random) {
    if (key.equals("sub_mean.bias") || key.equals("add_mean.bias")) {
      float sign = key.startsWith("sub") ? -1f : 1f;
      for (int c = 0; c < 3; c++) {
        data[c] = sign * DIV2K_MEAN[c];
      }
      return;
    }
    boolean zero =
        backbone == Backbone.SRRESNET
            || (backbone == Backbone.FSRCNN && !key.equals("tail_conv.bias"));
    if (!zero) {
      long fanIn = weightShape[1] * weightShape[2] * weightShape[3];
      uniform(data, 1.0 / Math.sqrt(fanIn), random);
    }
  }

  private static void uniform(float[] data, double bound, Random random) {
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
  }

  private static void conv(Map<String, long[]> m, String name, int out, int in, int k) {
    m.put(name + ".weight", new long[] {out, in, k, k});
    m.put(name + ".bias", new long[] {out});
  }

  private static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
