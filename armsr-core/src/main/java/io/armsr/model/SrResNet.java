package io.armsr.model;

import static io.armsr.model.Ops.conv;
import static io.armsr.model.Ops.leakyRelu;
import static io.armsr.model.Ops.pixelShuffle;
import static io.armsr.model.Ops.prefix;
import static io.armsr.model.Ops.relu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * US-MSRResNet, the slimmable "modified SRResNet" supernet of ARM (ARM.md 1.4): nf 64, 16 residual
 * blocks without BN, widths 36/52/64, bilinear x4 skip of the input.
 *
 * <pre>
 * fea = LReLU0.1(conv_first 3x3, W[:w, :3](x))                          (N,w,h,w')
 * out = 16 x [ y + conv2(ReLU(conv1(y))) ], 3x3, W[:w, :w]              (N,w,h,w')
 * out = LReLU0.1(PixelShuffle2(upconv1 W[:4w, :w](out)))                (N,w,2h,2w')
 * out = LReLU0.1(PixelShuffle2(upconv2 W[:4w, :w](out)))                (N,w,4h,4w')
 * out = conv_last W[:3, :w](LReLU0.1(HRconv W[:w, :w](out))) + bilinear_x4(x)   (N,3,4h,4w')
 * </pre>
 *
 * The residual blocks use ReLU, everything else LeakyReLU(0.1); there is no skip around the trunk.
 */
public final class SrResNet extends AbstractSupernet {
  /** Residual blocks in the trunk ({@code nb}). */
  static final int BLOCKS = 16;

  private static final float SLOPE = 0.1f;

  SrResNet(StateDict weights, NDManager manager) {
    super(Backbone.SRRESNET, weights, manager);
    presliceAllWidths();
  }

  @Override
  protected NDArray prepare(String key, NDArray full, int w) {
    boolean bias = key.endsWith(".bias");
    if (key.startsWith("conv_first.")) {
      return prefix(full, w); // us [F,T]
    }
    if (key.startsWith("conv_last.")) {
      return bias ? full : prefix(full, 3, w); // us [T,F]
    }
    if (key.startsWith("upconv")) {
      return bias ? prefix(full, 4L * w) : prefix(full, 4L * w, w);
    }
    return bias ? prefix(full, w) : prefix(full, w, w); // trunk, HRconv: us [T,T]
  }

  @Override
  protected NDArray forwardWidth(NDArray x, int w, Weights p) {
    NDArray y = leakyRelu(conv(x, p.get("conv_first.weight"), p.get("conv_first.bias"), 1), SLOPE);
    for (int i = 0; i < BLOCKS; i++) {
      String b = "recon_trunk." + i + ".";
      NDArray r = relu(conv(y, p.get(b + "conv1.weight"), p.get(b + "conv1.bias"), 1));
      y = y.add(conv(r, p.get(b + "conv2.weight"), p.get(b + "conv2.bias"), 1));
    }
    y =
        leakyRelu(
            pixelShuffle(conv(y, p.get("upconv1.weight"), p.get("upconv1.bias"), 1), 2), SLOPE);
    y =
        leakyRelu(
            pixelShuffle(conv(y, p.get("upconv2.weight"), p.get("upconv2.bias"), 1), 2), SLOPE);
    y = leakyRelu(conv(y, p.get("HRconv.weight"), p.get("HRconv.bias"), 1), SLOPE);
    y = conv(y, p.get("conv_last.weight"), p.get("conv_last.bias"), 1);
    return y.add(bilinear(x));
  }
}
