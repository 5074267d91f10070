package io.armsr.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.ImageMetrics;
import io.armsr.image.MatlabResize;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageReadException;
import io.armsr.model.Backbone;
import io.armsr.model.SrBenchmark;
import io.armsr.model.Supernet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whole validation images and their LR, for the PSNR per width logged during training. Each HR is
 * cropped to a multiple of 4 ({@code modcrop}, ARM.md 2.2) and its LR made with MATLAB's bicubic
 * x1/4 ({@link MatlabResize}, the benchmarks' convention); the score is ARM's RGB PSNR with a 4-px
 * border on the {@code tensor2img}-rounded output (ARM.md 4.2, 5.5).
 */
public final class ValidationSet {
  private final List<Rgb8Image> hr;
  private final List<PlanarImage> lr;

  private ValidationSet(List<Rgb8Image> hr, List<PlanarImage> lr) {
    if (hr.isEmpty()) {
      throw new IllegalArgumentException("validation set is empty");
    }
    this.hr = List.copyOf(hr);
    this.lr = List.copyOf(lr);
  }

  /**
   * The first {@code limit} images (sorted path order) under {@code folder}, recursively.
   *
   * @throws IllegalArgumentException if the folder holds no image of at least 32x32 pixels
   */
  public static ValidationSet load(Path folder, int limit) throws ImageReadException {
    List<Rgb8Image> images = new ArrayList<>();
    for (Path f : TrainingSet.imageFiles(folder)) {
      if (images.size() == limit) {
        break;
      }
      images.add(ImageFiles.read(f));
    }
    if (images.isEmpty()) {
      throw new IllegalArgumentException(
          "validation folder "
              + folder
              + ": no images ("
              + ImageExtensions.describeReadable()
              + ")");
    }
    return fromImages(images);
  }

  /** A validation set of images in memory. */
  public static ValidationSet fromImages(List<Rgb8Image> images) {
    List<Rgb8Image> hr = new ArrayList<>();
    List<PlanarImage> lr = new ArrayList<>();
    for (Rgb8Image img : images) {
      if (img.width() / Backbone.SCALE < 4 || img.height() / Backbone.SCALE < 4) {
        continue; // an LR under 4x4: too small to leave anything much inside the border
      }
      SrBenchmark.Pair pair = SrBenchmark.prepare(img, MatlabResize.Variant.MATLAB);
      hr.add(pair.hr());
      lr.add(PlanarImage.fromRgb8(pair.lr()));
    }
    return new ValidationSet(hr, lr);
  }

  public int size() {
    return hr.size();
  }

  /**
   * Mean PSNR over the images for every width.
   *
   * @return {@code [psnr of subnet 1, 2, 3]}
   */
  public double[] psnrPerWidth(Supernet net, NDManager manager) {
    double[] out = new double[Backbone.SUBNETS - 1];
    for (int i = 0; i < hr.size(); i++) {
      PlanarImage x = lr.get(i);
      for (int j = 1; j < Backbone.SUBNETS; j++) {
        try (NDScope scope = new NDScope()) {
          scope.suppressNotUsedWarning();
          NDArray in = manager.create(x.data(), new Shape(1, 3, x.height(), x.width()));
          float[] sr = net.forward(in, j).toFloatArray(); // (1, 3, 4h, 4w)
          for (int k = 0; k < sr.length; k++) {
            sr[k] = PlanarImage.toByte(sr[k]); // tensor2img: clamp, x255, round half even
          }
          Rgb8Image ref = hr.get(i);
          out[j - 1] +=
              ImageMetrics.psnr(
                  new PlanarImage(3, ref.height(), ref.width(), sr), ref, SrBenchmark.PSNR_BORDER);
        }
      }
    }
    for (int j = 0; j < out.length; j++) {
      out[j] /= hr.size();
    }
    return out;
  }
}
