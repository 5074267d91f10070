package io.armsr.model;

import static io.armsr.model.Ops.pixelShuffle;
import static io.armsr.model.Ops.prefix;
import static io.armsr.model.Ops.relu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * US-CARN-M, the slimmable CARN-M supernet of ARM (ARM.md 1.3): nf 64, 4 groups, widths 36/52/64.
 *
 * <pre>
 * x (N,3,h,w) - mean (frozen 1x1)  -> entry 3x3, W[:w, :3]                    (N,w,h,w)
 * c0 = o0;  bK = Block_K(o(K-1));  cK = cat[c(K-1), bK];  oK = ReLU(1x1 W[:w, :(K+1)w](cK))
 * u = PixelShuffle2(ReLU(gconv3x3 g4, W[:4w, :w/4](o3)))                       (N,w,2h,2w)
 * u = PixelShuffle2(ReLU(gconv3x3 g4, W[:4w, :w/4](u)))                        (N,w,4h,4w)
 * y = exit 3x3, W[:3, :w](u) + mean (frozen 1x1)                              (N,3,4h,4w)
 * </pre>
 *
 * <p>Two slicing quirks are reproduced literally because the released weights were trained with
 * them (ARM.md 1.1): a grouped convolution of width w reads {@code W[:w_out, :w/4]} and applies 4
 * groups over the w input channels, so group membership shifts with the width; and a 1x1
 * convolution over a concatenation reads the first columns {@code W[:w, :k w]}, which for w < 64
 * are not the features those columns see in the full net.
 */
public final class Carn extends AbstractSupernet {
  /** Groups of the grouped 3x3 convolutions (CARN-M's {@code group}). */
  static final int GROUPS = 4;

  Carn(StateDict weights, NDManager manager) {
    super(Backbone.CARN, weights, manager);
    presliceAllWidths();
  }

  @Override
  protected NDArray prepare(String key, NDArray full, int w) {
    if (key.startsWith("sub_mean.") || key.startsWith("add_mean.")) {
      return full; // frozen 3 -> 3 MeanShift, never slimmed
    }
    if (key.endsWith(".bias")) {
      // Biases follow their weight's output slice: exit has 3 outputs, the upsampler 4w.
      return switch (key) {
        case "exit.bias" -> full;
        case "upsample.up.body.0.bias", "upsample.up.body.3.bias" -> prefix(full, 4L * w);
        default -> prefix(full, w);
      };
    }
    long cols = full.getShape().get(1);
    if (key.equals("entry.weight")) {
      return prefix(full, w); // us [F,T]: W[:w, :3]
    }
    if (key.equals("exit.weight")) {
      return prefix(full, 3, w); // us [T,F]
    }
    if (key.startsWith("upsample.")) {
      return prefix(full, 4L * w, w / GROUPS); // grouped quirk, w -> 4w
    }
    if (key.contains(".body.0.") || key.contains(".body.2.")) {
      return prefix(full, w, w / GROUPS); // grouped quirk inside EResidualBlock
    }
    // 1x1 convolutions: body.4 is w -> w; cK.0 reads the first (K+1) w concatenated columns.
    return prefix(full, w, cols / Backbone.CARN.fullWidth() * w);
  }

  /** The width whose inference pass runs laid out as the full width ({@link #inferenceLayout}). */
  static final int PADDED_WIDTH = 52;

  /**
   * Width 52's weights laid out as width 64's, every group of 13 channels padded with 3 zero
   * channels to 16: libtorch's grouped 3x3 convolution takes 4.8 ms on (8, 52, 40, 40) and 2.1 ms
   * on (8, 64, 40, 40) (docs/ENGINE.md), so the padded pass, though it multiplies zeros in its 1x1
   * convolutions, is the faster one. Channel {@code c} of a width-52 activation lives in slot
   * {@code s(c) = (c / 13) * 16 + c % 13} of a 64-channel one, and the padded slots stay exactly 0
   * through every layer (zero weights and biases, ReLU(0) = 0, 0 + 0); a concatenation of k blocks
   * has block b's channel c at {@code 64 b + s(c)}; the upsampler's 4 x 52 outputs, group g of 52
   * each, go to {@code 64 g + o % 52}, which the pixel shuffle turns into {@code s(o / 4)}. The
   * exit convolution reads the real slots only, so the output is width 52's, up to the order in
   * which the convolutions add their products. Other widths are laid out as prepared.
   */
  @Override
  protected Tensor inferenceLayout(String key, Tensor t, int w) {
    if (w != PADDED_WIDTH) {
      return t;
    }
    int full = Backbone.CARN.fullWidth();
    long[] shape = t.shape();
    if (shape.length == 1) {
      int n = (int) shape[0];
      if (n == w) {
        return remap(t, new long[] {full}, o -> slot(o, w), i -> 0, 1, 1);
      }
      if (n == 4 * w) {
        return remap(t, new long[] {4L * full}, o -> upSlot(o, w, full), i -> 0, 1, 1);
      }
      return t;
    }
    int out = (int) shape[0];
    int in = (int) shape[1];
    int taps = (int) (shape[2] * shape[3]);
    java.util.function.IntUnaryOperator outMap;
    long outSize;
    if (out == w) {
      outMap = o -> slot(o, w);
      outSize = full;
    } else if (out == 4 * w) {
      outMap = o -> upSlot(o, w, full);
      outSize = 4L * full;
    } else {
      outMap = o -> o; // the mean shifts and the exit: 3 RGB outputs
      outSize = out;
    }
    java.util.function.IntUnaryOperator inMap;
    long inSize;
    if (in == w / GROUPS) {
      inMap = i -> i; // a grouped convolution: one group's channels, padded at the end
      inSize = full / GROUPS;
    } else if (in % w == 0) {
      inMap = i -> (i / w) * full + slot(i % w, w); // w, or a concatenation of blocks of w
      inSize = (long) in / w * full;
    } else {
      inMap = i -> i; // RGB inputs
      inSize = in;
    }
    return remap(t, new long[] {outSize, inSize, shape[2], shape[3]}, outMap, inMap, in, taps);
  }

  /** Slot of channel {@code c} of width {@code w} in the padded 64-channel layout. */
  private static int slot(int c, int w) {
    int q = w / GROUPS;
    return (c / q) * (Backbone.CARN.fullWidth() / GROUPS) + c % q;
  }

  /** Slot of upsampler output {@code o} (of {@code 4w}, in groups of {@code w}) when padded. */
  private static int upSlot(int o, int w, int full) {
    return (o / w) * full + o % w;
  }

  /**
   * {@code t} copied into a zero tensor of {@code shape}: element {@code [o, i, tap]} to {@code
   * [outMap(o), inMap(i), tap]}.
   */
  private static Tensor remap(
      Tensor t,
      long[] shape,
      java.util.function.IntUnaryOperator outMap,
      java.util.function.IntUnaryOperator inMap,
      int in,
      int taps) {
    long size = 1;
    for (long d : shape) {
      size *= d;
    }
    float[] v = t.values();
    float[] out = new float[(int) size];
    int outIn = shape.length == 1 ? 1 : (int) shape[1];
    int n = v.length / (in * taps);
    for (int o = 0; o < n; o++) {
      for (int i = 0; i < in; i++) {
        int to = (outMap.applyAsInt(o) * outIn + inMap.applyAsInt(i)) * taps;
        System.arraycopy(v, (o * in + i) * taps, out, to, taps);
      }
    }
    return new Tensor(out, shape);
  }

  /**
   * Every convolution but the two MeanShift layers: together about 0.002 dB on Set14 and BSD100 in
   * bf16 at full width, where the MeanShifts alone (bf16 rounding of the input and output pixels
   * themselves) cost 0.006 to 0.008 dB (docs/BENCHMARKS.md, "Reduced precision").
   */
  @Override
  public Set<String> harmlessBf16Layers() {
    Set<String> layers = new LinkedHashSet<>(convolutions());
    layers.removeAll(Set.of("sub_mean", "add_mean"));
    return Collections.unmodifiableSet(layers);
  }

  @Override
  protected NDArray forwardWidth(NDArray x, int w, Weights p) {
    NDArray y = p.conv(x, "sub_mean", 0);
    NDArray entry = p.conv(y, "entry", 1);
    p.free(y);
    NDArray out = cascade(entry, "", p, k -> o -> block(o, "b" + k + ".", p));
    p.free(entry);
    NDArray u = upsample(out, "upsample.up.body.0", p);
    p.free(out);
    NDArray u2 = upsample(u, "upsample.up.body.3", p);
    p.free(u);
    y = p.conv(u2, "exit", 1);
    p.free(u2);
    NDArray rgb = p.conv(y, "add_mean", 0);
    p.free(y);
    return rgb;
  }

  /**
   * The cascading pattern shared by the top level and each Block: {@code c0 = o0 = x; b_k =
   * stage_k(o_{k-1}); c_k = cat[c_{k-1}, b_k]; o_k = ReLU(conv1x1(c_k))} for k = 1..3, 1x1 keys
   * {@code prefix + "c" + k + ".0"} cut to {@code W[:w, :(k+1) w]} (the concatenation quirk). Its
   * own intermediates are freed as they die ({@link Weights#free}); {@code x} is the caller's.
   *
   * @param x (N, w, h, w')
   * @return o_3, (N, w, h, w')
   */
  private static NDArray cascade(
      NDArray x, String prefix, Weights p, IntFunction<UnaryOperator<NDArray>> stage) {
    NDArray c = x;
    NDArray o = x;
    for (int k = 1; k <= 3; k++) {
      NDArray b = stage.apply(k).apply(o);
      NDArray cat = c.concat(b, 1); // (N, (k+1) w, h, w')
      p.free(b);
      if (c != x) {
        p.free(c);
      }
      c = cat;
      String key = prefix + "c" + k + ".0";
      NDArray next = convRelu(c, key, 0, 1, p);
      if (o != x) {
        p.free(o);
      }
      o = next;
    }
    p.free(c);
    return o;
  }

  /** Block {@code bK}: a cascade whose three stages call ONE shared EResidualBlock (CARN-M). */
  private static NDArray block(NDArray x, String name, Weights p) {
    return cascade(x, name, p, k -> o -> eResidual(o, name + "b1.body.", p));
  }

  /**
   * CARN-M's EResidualBlock: {@code ReLU(conv1x1(ReLU(gconv(ReLU(gconv(x))))) + x)}, the grouped
   * 3x3 convolutions with the slicing quirk (weights already cut to {@code W[:w, :w/4]}).
   */
  private static NDArray eResidual(NDArray x, String body, Weights p) {
    NDArray y1 = convRelu(x, body + "0", 1, GROUPS, p);
    NDArray y2 = convRelu(y1, body + "2", 1, GROUPS, p);
    p.free(y1);
    NDArray y3 = p.conv(y2, body + "4", 0);
    p.free(y2);
    NDArray sum = y3.add(x);
    p.free(y3);
    NDArray out = relu(sum);
    p.free(sum);
    return out;
  }

  /** {@code ReLU(conv(x))}, the convolution's output freed once the ReLU has read it. */
  private static NDArray convRelu(NDArray x, String layer, int pad, int groups, Weights p) {
    NDArray y = p.conv(x, layer, pad, groups);
    NDArray r = relu(y);
    p.free(y);
    return r;
  }

  /** One x2 stage of the upsampler: (N, w, h, w') to (N, w, 2h, 2w'). */
  private static NDArray upsample(NDArray x, String key, Weights p) {
    NDArray r = convRelu(x, key, 1, GROUPS, p);
    NDArray shuffled = pixelShuffle(r, 2);
    p.free(r); // the shuffle's view keeps the storage as long as it needs it
    return shuffled;
  }
}
