package io.armsr.eval;

import io.armsr.model.Backbone;
import java.util.List;

/**
 * The figures of a dataset under one routing mode. PSNR and SSIM are image means, FLOPs the mean
 * per patch over all patches of all images (patch-weighted, as the release's {@code cal_FLOPs},
 * ARM.md 3.3).
 */
public record DatasetEval(
    String backbone,
    String dataset,
    String grid,
    String mode,
    double[] costs,
    List<ImageEval> images) {

  public double meanPsnr() {
    return images.stream().mapToDouble(ImageEval::psnr).average().orElse(Double.NaN);
  }

  public double meanPsnrY() {
    return images.stream().mapToDouble(ImageEval::psnrY).average().orElse(Double.NaN);
  }

  /** Mean PSNR over the reference grid's area (NaN if any image is smaller than a patch). */
  public double meanPsnrReferenceArea() {
    return images.stream().mapToDouble(ImageEval::psnrReferenceArea).average().orElse(Double.NaN);
  }

  public double meanSsimY() {
    return images.stream().mapToDouble(ImageEval::ssimY).average().orElse(Double.NaN);
  }

  public int[] classes() {
    int[] out = new int[Backbone.SUBNETS];
    for (ImageEval e : images) {
      for (int j = 0; j < out.length; j++) {
        out[j] += e.classes()[j];
      }
    }
    return out;
  }

  public int patches() {
    return images.stream().mapToInt(ImageEval::patches).sum();
  }

  /** Patch-weighted mean FLOPs per patch: {@code sum_j cost_j n_j / sum_j n_j}. */
  public double meanFlops() {
    return Evaluator.meanFlops(classes(), costs);
  }
}
