package io.armsr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The functional tensor operations the supernets are built from, all plain differentiable NDArray
 * ops (ARM.md 1; docs/ENGINE.md for the two PyTorch ops that DJL 0.36 lacks). Every method returns
 * a new array attached to its first tensor argument's manager.
 */
final class Ops {
  private static final Shape UNIT = new Shape(1, 1);

  private Ops() {}

  /**
   * Stride-1 2-D cross-correlation with zero padding, as {@code torch.nn.functional.conv2d}.
   *
   * @param x (N, C, H, W)
   * @param weight (O, C / groups, k, k)
   * @param bias (O)
   * @return (N, O, H + 2 pad - k + 1, W + 2 pad - k + 1)
   */
  static NDArray conv(NDArray x, NDArray weight, NDArray bias, int pad, int groups) {
    return Conv2d.conv2d(x, weight, bias, UNIT, new Shape(pad, pad), UNIT, groups)
        .singletonOrThrow();
  }

  static NDArray conv(NDArray x, NDArray weight, NDArray bias, int pad) {
    return conv(x, weight, bias, pad, 1);
  }

  static NDArray relu(NDArray x) {
    return Activation.relu(x);
  }

  static NDArray leakyRelu(NDArray x, float slope) {
    return Activation.leakyRelu(x, slope);
  }

  /**
   * PReLU with one shared slope {@code a} (shape (1), broadcast). DJL 0.36's PyTorch engine has no
   * {@code prelu} op (docs/ENGINE.md). When {@code a} carries a gradient (training) it is computed
   * as {@code relu(x) + a (x - relu(x))}, which lets gradients reach {@code a}; otherwise as the
   * single op {@code leaky_relu(x, a)}, which is the same function ({@code x} if {@code x > 0},
   * else {@code a x}, both exact in float) in one pass over the activations instead of four.
   */
  static NDArray prelu(NDArray x, NDArray a) {
    if (!a.hasGradient()) {
      return leakyRelu(x, a.getFloat());
    }
    NDArray pos = relu(x);
    return pos.add(x.sub(pos).mul(a));
  }

  /**
   * {@code torch.nn.PixelShuffle(r)}: (N, C r^2, H, W) to (N, C, H r, W r) with {@code out[c, r h +
   * i, r w + j] = in[r^2 c + r i + j, h, w]}.
   */
  static NDArray pixelShuffle(NDArray x, int r) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1) / ((long) r * r);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(n, c, r, r, h, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c, h * r, w * r);
  }

  /**
   * The prefix view {@code a[:lens[0], :lens[1], ...]}; trailing dimensions are kept whole. A torch
   * view, so gradients of the view reach only that slice of {@code a} (ARM.md 1.1).
   */
  static NDArray prefix(NDArray a, long... lens) {
    if (lens.length == 0) {
      return a;
    }
    NDIndex index = new NDIndex();
    for (long len : lens) {
      index.addSliceDim(0, len);
    }
    return a.get(index);
  }
}
