package io.armsr.model;

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
    NDArray y = convAct(x, "conv_first", p);
    for (int i = 0; i < BLOCKS; i++) {
      String b = "recon_trunk." + i + ".";
      NDArray t = p.conv(y, b + "conv1", 1);
      NDArray r = relu(t);
      p.free(t);
      NDArray c = p.conv(r, b + "conv2", 1);
      p.free(r);
      NDArray sum = y.add(c);
      p.free(c, y);
      y = sum;
    }
    for (String up : new String[] {"upconv1", "upconv2"}) {
      NDArray c = p.conv(y, up, 1);
      p.free(y);
      NDArray shuffled = pixelShuffle(c, 2);
      p.free(c);
      y = leakyRelu(shuffled, SLOPE);
      p.free(shuffled);
    }
    NDArray hr = convAct(y, "HRconv", p);
    p.free(y);
    NDArray last = p.conv(hr, "conv_last", 1);
    p.free(hr);
    NDArray base = bilinear(x);
    NDArray out = last.add(base);
    p.free(last, base);
    return out;
  }

  /**
   * LeakyReLU(0.1) of convolution {@code key} of {@code x} (pad 1), the convolution freed after.
   */
  private static NDArray convAct(NDArray x, String key, Weights p) {
    NDArray c = p.conv(x, key, 1);
    NDArray y = leakyRelu(c, SLOPE);
    p.free(c);
    return y;
  }
}
