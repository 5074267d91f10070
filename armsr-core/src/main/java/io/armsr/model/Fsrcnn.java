package io.armsr.model;

import static io.armsr.model.Ops.pixelShuffle;
import static io.armsr.model.Ops.prefix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Set;

/**
 * US-FSRCNN, the slimmable FSRCNN supernet of ARM (ARM.md 1.2): nf 56, s 12, m 4, widths 16/36/56.
 * Only the head output, the shrink input, the expand output and the tail input are slimmed; the
 * 12-channel body is never sliced.
 *
 * <pre>
 * x (N,3,h,w) -> head 5x5 pad 2, W[:w]           -> PReLU  (N,w,h,w)
 *             -> shrink 1x1, W[:12, :w]          -> PReLU  (N,12,h,w)
 *             -> 4 x map 3x3 pad 1 (linear, no activation between them) -> PReLU
 *             -> expand 1x1, W[:w, :12]          -> PReLU  (N,w,h,w)
 *             -> tail ConvTranspose2d 9x9 s4 p3 op1, W[:w] (in,out,k,k), bias not sliced
 *                                                          (N,3,4h,4w)
 * </pre>
 *
 * <p>DJL 0.36 lacks transposed convolution (docs/ENGINE.md), so the tail is computed as an
 * equivalent 3x3 pad-1 convolution with 48 = 3 x 4 x 4 outputs on the LR grid followed by a x4
 * pixel shuffle ({@link #tailKernel}).
 */
public final class Fsrcnn extends AbstractSupernet {
  /** The 12-channel shrink/mapping width (FSRCNN's {@code s}). */
  static final int SHRINK = 12;

  /** Number of linear mapping convolutions (FSRCNN's {@code m}). */
  static final int MAPPING = 4;

  private static final int K = 9;
  private static final int R = Backbone.SCALE;
  private static final int OUT_CH = 3;
  private static final String TAIL = "tail_conv";
  private static final String TAIL_W = TAIL + ".weight";
  private static final String TAIL_B = TAIL + ".bias";

  /** (3*81, 48*9) 0/1 matrix gathering the tail's 9x9 taps into the 3x3 sub-pixel kernel. */
  private final NDArray tailGather;

  /**
   * (48, 56, 3, 3): the full-width sub-pixel tail kernel, gathered once. A width's tail kernel is
   * its input-channel prefix {@code [:, :w]}: every entry of the gathered kernel is one tap of the
   * transposed kernel or 0, so slicing before or after the gather gives the same floats.
   */
  private final NDArray fullTail;

  Fsrcnn(StateDict weights, NDManager manager) {
    super(Backbone.FSRCNN, weights, manager);
    this.tailGather =
        keep(manager().create(tailGatherMatrix(), new Shape(OUT_CH * K * K, 48L * 9)));
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray gathered = tailKernel(parameters().get(TAIL_W));
      this.fullTail = keep(manager().create(gathered.toFloatArray(), gathered.getShape()));
    }
    presliceAllWidths();
  }

  @Override
  protected NDArray prepare(String key, NDArray full, int w) {
    return switch (key) {
      case "head_conv.0.weight", "head_conv.0.bias" -> prefix(full, w); // us [F,T]
      case "body_conv.0.0.weight" -> prefix(full, SHRINK, w); // us [T,F]
      case "body_conv.6.0.weight", "body_conv.6.0.bias" -> prefix(full, w); // us [F,T]
      case TAIL_W -> tail(full, w); // us [T,F]: W[:w, :3]
      case TAIL_B -> full.repeat(R * R); // not sliced; one copy per sub-pixel channel
      default -> full; // 12-channel body and PReLU slopes are never slimmed
    };
  }

  @Override
  protected NDArray forwardWidth(NDArray x, int w, Weights p) {
    // (N, 48, h, w') -> (N, 3, 4h, 4w')
    NDArray sub = forwardWidthSubPixel(x, w, p, 0);
    return then(sub, pixelShuffle(sub, R), p);
  }

  /**
   * The expand convolution and the tail: together 0.003 dB on Set14 and BSD100 in bf16 at full
   * width, for 70% of the network's multiply-adds; the head, shrink and mapping layers cost 0.005
   * to 0.012 dB each (docs/BENCHMARKS.md, "Reduced precision").
   */
  @Override
  public Set<String> harmlessBf16Layers() {
    return Set.of("body_conv.6.0", TAIL);
  }

  @Override
  protected boolean endsInPixelShuffle() {
    return true;
  }

  /**
   * The network up to the sub-pixel tail, for the centre of the input only.
   *
   * <p>The layers after the shrink have receptive radius 1 (the four 3x3 mapping convolutions and
   * the 3x3 tail) or 0 (1x1 expand, PReLU). With a margin of {@code m} the last {@code v = min(m,
   * 5)} radius-1 layers run unpadded: each output then depends only on real activations, never on a
   * zero pad, so it equals the padded layer's output at that position, and the tail's output comes
   * out {@code m} pixels smaller on each side. When {@code m > 5} the rest is cut from the shrink
   * output. At the default margin 4 the last three mapping convolutions compute 38, 36 and 34 pixel
   * squares and the tail 32 x 32 instead of 40 x 40: the tail, 69% of the network's work, does 36%
   * less.
   *
   * @param x (N, 3, h, w')
   * @return (N, 48, h - 2m, w' - 2m)
   */
  @Override
  protected NDArray forwardWidthSubPixel(NDArray x, int w, Weights p, int margin) {
    int unpadded = Math.min(margin, MAPPING + 1);
    NDArray y = convPrelu(x, "head_conv.0", 2, "head_conv.1.weight", p);
    y = then(y, convPrelu(y, "body_conv.0.0", 0, "body_conv.0.1.weight", p), p);
    NDArray cropped = cropSides(y, margin - unpadded); // a view: y's storage lives on in it
    if (cropped != y) {
      y = then(y, cropped, p);
    }
    // ARM.md 1.2: the four mapping convolutions have no activation between them.
    for (int i = 1; i <= MAPPING; i++) {
      int pad = i > MAPPING + 1 - unpadded ? 0 : 1;
      String c = "body_conv." + i;
      y = then(y, p.conv(y, c, pad), p);
    }
    y = then(y, prelu(y, p, "body_conv.5.weight"), p);
    y = then(y, convPrelu(y, "body_conv.6.0", 0, "body_conv.6.1.weight", p), p);
    // (N, w, h, w') -> (N, 48, h, w')
    return then(y, p.conv(y, TAIL, unpadded > 0 ? 0 : 1), p);
  }

  /** {@code next}, with {@code spent} freed ({@link Weights#free}): it was the op's input. */
  private static NDArray then(NDArray spent, NDArray next, Weights p) {
    p.free(spent);
    return next;
  }

  /** PReLU({@code slope}) of convolution {@code conv} of {@code x}, its output freed after. */
  private static NDArray convPrelu(NDArray x, String conv, int pad, String slope, Weights p) {
    NDArray y = p.conv(x, conv, pad);
    return then(y, prelu(y, p, slope), p);
  }

  /**
   * FSRCNN's PReLU with the one shared slope {@code key}: on pre-sliced weights the single op
   * {@code leaky_relu} with the slope read once ({@link Ops#prelu}), else {@link Ops#prelu} itself.
   */
  private static NDArray prelu(NDArray x, Weights p, String key) {
    return p.presliced() ? Ops.leakyRelu(x, p.scalar(key)) : Ops.prelu(x, p.get(key));
  }

  /** {@code y[:, :, c:-c, c:-c]}, a view. */
  private static NDArray cropSides(NDArray y, int c) {
    if (c == 0) {
      return y;
    }
    Shape s = y.getShape();
    return y.get(
        new NDIndex().addAllDim(2).addSliceDim(c, s.get(2) - c).addSliceDim(c, s.get(3) - c));
  }

  /**
   * The tail kernel of width {@code w}: gathered from the prefix of the transposed kernel while it
   * carries a gradient (training, so the gradient reaches the 9x9 taps), else a view of the kernel
   * gathered once, as the release's {@code ConvTranspose2d} reads its {@code W[:w]} on every call
   * without any transformation.
   */
  private NDArray tail(NDArray full, int w) {
    if (full.hasGradient()) {
      return tailKernel(prefix(full, w));
    }
    return fullTail.get(new NDIndex().addAllDim().addSliceDim(0, w));
  }

  /**
   * The 3x3 sub-pixel kernel equivalent to the x4 transposed convolution (k 9, stride 4, pad 3,
   * output_padding 1), built with differentiable ops from the transposed kernel.
   *
   * <p>Derivation: the transposed convolution writes input pixel y to output rows {@code Y = 4y - 3
   * + ky}. Write {@code Y = 4h + ry} (ry in 0..3) and {@code y = h + ty - 1} (a 3x3 pad-1 window,
   * ty in 0..2): then {@code ky = Y + 3 - 4y = 7 + ry - 4 ty}, a tap only when {@code 0 <= ky <=
   * 8}; likewise for x. So {@code K[o*16 + ry*4 + rx, i, ty, tx] = W[i, o, 7+ry-4ty, 7+rx-4tx]} or
   * 0. Output size is 4h, matching {@code (h-1)*4 - 6 + 9 + 1}; the output_padding row/column at
   * the bottom/right falls out of the same formula.
   *
   * @param w (w, 3, 9, 9) in ConvTranspose2d layout (in, out, k, k)
   * @return (48, w, 3, 3) in Conv2d layout (out, in, k, k)
   */
  NDArray tailKernel(NDArray w) {
    long in = w.getShape().get(0);
    // (w, 243) x (243, 432) -> (w, 48, 3, 3) -> (48, w, 3, 3)
    return w.reshape(in, OUT_CH * K * K)
        .matMul(tailGather)
        .reshape(in, 48, 3, 3)
        .transpose(1, 0, 2, 3);
  }

  /** Row {@code o*81 + ky*9 + kx}, column {@code (o*16 + ry*4 + rx)*9 + ty*3 + tx}. */
  private static float[] tailGatherMatrix() {
    int cols = OUT_CH * R * R * 9;
    float[] g = new float[OUT_CH * K * K * cols];
    for (int o = 0; o < OUT_CH; o++) {
      for (int ry = 0; ry < R; ry++) {
        for (int rx = 0; rx < R; rx++) {
          for (int ty = 0; ty < 3; ty++) {
            for (int tx = 0; tx < 3; tx++) {
              int ky = 7 + ry - 4 * ty;
              int kx = 7 + rx - 4 * tx;
              if (ky < 0 || ky >= K || kx < 0 || kx >= K) {
                continue;
              }
              int row = o * K * K + ky * K + kx;
              int col = ((o * R * R) + ry * R + rx) * 9 + ty * 3 + tx;
              g[row * cols + col] = 1f;
            }
          }
        }
      }
    }
    return g;
  }
}
