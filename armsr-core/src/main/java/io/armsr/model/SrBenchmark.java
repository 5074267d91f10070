package io.armsr.model;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;

/**
 * ARM's x4 benchmark protocol: how a HR image becomes the LR input of a super-resolution test
 * (ARM.md 2.1, {@code generate_mod_LR_bic.py}) and how the SR output is scored against it (ARM.md
 * 5.5).
 *
 * <ul>
 *   <li>{@link #modcrop}: the HR image is cropped at the bottom and right to a multiple of the
 *       scale, so that it is exactly 4x its LR;
 *   <li>{@link #prepare}: the LR image is the cropped HR downscaled x1/4 by MATLAB's bicubic with
 *       anti-aliasing ({@link MatlabResize}; the benchmarks' MATLAB variant, or BasicSR's {@code
 *       imresize_np} the training scripts call);
 *   <li>{@link #PSNR_BORDER}: PSNR and SSIM ignore this many pixels on every side (the scale).
 * </ul>
 *
 * <p>The one home of these rules: the training and validation sets, the LUT's validation patches
 * and the evaluator use them.
 */
public final class SrBenchmark {

  /** Pixels cropped from every side before PSNR/SSIM (ARM.md 5.5: the scale, 4). */
  public static final int PSNR_BORDER = Backbone.SCALE;

  /** A HR image and its LR, the HR exactly {@link Backbone#SCALE} times the LR in each side. */
  public record Pair(Rgb8Image hr, Rgb8Image lr) {
    public Pair {
      if (hr.width() != Backbone.SCALE * lr.width()
          || hr.height() != Backbone.SCALE * lr.height()) {
        throw new IllegalArgumentException(
            "HR "
                + hr.width()
                + "x"
                + hr.height()
                + " is not "
                + Backbone.SCALE
                + "x LR "
                + lr.width()
                + "x"
                + lr.height());
      }
    }
  }

  private SrBenchmark() {}

  /**
   * {@code modcrop}: the top-left part of {@code hr} whose sides are multiples of the scale; {@code
   * hr} itself when they already are.
   */
  public static Rgb8Image modcrop(Rgb8Image hr) {
    int w = hr.width() - hr.width() % Backbone.SCALE;
    int h = hr.height() - hr.height() % Backbone.SCALE;
    return (w == hr.width() && h == hr.height()) ? hr : hr.crop(0, 0, w, h);
  }

  /**
   * The benchmark pair of a HR image: {@link #modcrop}, then the LR by a x1/4 bicubic resize.
   *
   * @param variant MATLAB's resize (test sets, validation) or BasicSR's (training data)
   * @throws IllegalArgumentException if the image is smaller than the scale in a side
   */
  public static Pair prepare(Rgb8Image hr, MatlabResize.Variant variant) {
    if (hr.width() < Backbone.SCALE || hr.height() < Backbone.SCALE) {
      throw new IllegalArgumentException(
          "a HR image needs at least "
              + Backbone.SCALE
              + " pixels in each side, got "
              + hr.width()
              + "x"
              + hr.height());
    }
    Rgb8Image gt = modcrop(hr);
    return new Pair(gt, MatlabResize.resize(gt, 1.0 / Backbone.SCALE, variant));
  }
}
