package io.armsr.train;

import io.armsr.format.TrainingProvenance.DataFolder;
import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageReadException;
import io.armsr.lut.ValidationPatches;
import io.armsr.model.Backbone;
import io.armsr.model.PatchGeometry;
import io.armsr.model.SrBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The training data: (HR, LR) image pairs prepared once as the official scripts do, and random
 * aligned patches cut from them on demand.
 *
 * <p>Preparation per source image (ARM.md 2.1): for every scale s in {1, 0.9, 0.8, 0.7, 0.6} the HR
 * image is downscaled by s ({@code data_augmentation.py}), cropped to a multiple of 4 ({@code
 * modcrop}) and its LR made by a x1/4 downscale ({@code generate_mod_LR_bic.py}). Both resizes are
 * BasicSR's {@code imresize_np} (MATLAB bicubic with anti-aliasing, mirrored borders: {@link
 * MatlabResize.Variant#BASICSR}), the function the official scripts call. A scaled image smaller
 * than a 128x128 patch is skipped for that scale. Pairs are kept as bytes: a float copy would take
 * 4x the memory.
 *
 * <p>Sampling replaces the official pre-cut 128/32 sub-images (step 64) with a uniformly random
 * aligned position: a pair is chosen with probability proportional to its number of LR positions,
 * which approximates drawing uniformly over all sub-images, then the LR top-left corner (x, y) is
 * uniform, the HR patch is at (4x, 4y), and one of the 8 dihedral variants is applied to both
 * (ARM.md 2.2).
 */
public final class TrainingSet {
  /** The HR scale augmentation of {@code data_augmentation.py} (ARM.md 2.1). */
  static final double[] SCALES = {1.0, 0.9, 0.8, 0.7, 0.6};

  /**
   * LR patch size; the HR patch is 4x (ARM.md 2.2, {@code LQ_size=32}, {@code GT_size=128}): {@link
   * PatchGeometry}.
   */
  public static final int LR_PATCH = PatchGeometry.LR_PATCH;

  public static final int HR_PATCH = PatchGeometry.HR_PATCH;

  /**
   * A batch of aligned patches, RGB in [0, 1].
   *
   * @param lr (n, 3, 32, 32) row-major
   * @param hr (n, 3, 128, 128) row-major
   */
  public record Batch(int n, float[] lr, float[] hr) {}

  private final List<SrBenchmark.Pair> pairs;
  private final List<DataFolder> folders;
  private final long[] cumulativePositions;

  private TrainingSet(List<SrBenchmark.Pair> pairs, List<DataFolder> folders) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException(
          "no training image is at least " + HR_PATCH + "x" + HR_PATCH + " pixels");
    }
    this.pairs = List.copyOf(pairs);
    this.folders = List.copyOf(folders);
    this.cumulativePositions = new long[pairs.size()];
    long sum = 0;
    for (int i = 0; i < pairs.size(); i++) {
      Rgb8Image lr = pairs.get(i).lr();
      sum += (long) (lr.width() - LR_PATCH + 1) * (lr.height() - LR_PATCH + 1);
      cumulativePositions[i] = sum;
    }
  }

  /**
   * Reads every image under {@code folders} ({@link ImageExtensions}, recursively, in sorted path
   * order so that the pair indices, and so the random crops of a seed, do not depend on directory
   * listing order) and prepares its pairs.
   *
   * @param log receives one progress line per folder
   * @throws IllegalArgumentException if a folder is missing or holds no image
   * @throws ImageReadException if an image cannot be decoded
   */
  public static TrainingSet load(List<Path> folders, Consumer<String> log)
      throws ImageReadException {
    List<SrBenchmark.Pair> pairs = new ArrayList<>();
    List<DataFolder> counts = new ArrayList<>();
    for (Path folder : folders) {
      List<Path> files = imageFiles(folder);
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "training folder "
                + folder
                + ": no images ("
                + ImageExtensions.describeReadable()
                + ")");
      }
      int before = pairs.size();
      for (Path f : files) {
        pairs.addAll(prepare(ImageFiles.read(f)));
      }
      counts.add(new DataFolder(folder.toString(), files.size()));
      log.accept(
          String.format(
              Locale.ROOT,
              "data %s: %d images, %d scaled pairs",
              folder,
              files.size(),
              pairs.size() - before));
    }
    return new TrainingSet(pairs, counts);
  }

  /** A set made from images in memory (tests, synthetic data), recorded as one folder. */
  public static TrainingSet fromImages(String name, List<Rgb8Image> images) {
    List<SrBenchmark.Pair> pairs = new ArrayList<>();
    for (Rgb8Image img : images) {
      pairs.addAll(prepare(img));
    }
    return new TrainingSet(pairs, List.of(new DataFolder(name, images.size())));
  }

  /** The image files under {@code folder}, recursively, sorted. */
  static List<Path> imageFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException(folder + ": no such folder");
    }
    return ValidationPatches.imageFiles(folder);
  }

  /** The up-to-5 (HR, LR) pairs of one source image (ARM.md 2.1). */
  static List<SrBenchmark.Pair> prepare(Rgb8Image source) {
    List<SrBenchmark.Pair> out = new ArrayList<>();
    for (double s : SCALES) {
      Rgb8Image hr =
          s == 1.0 ? source : MatlabResize.resize(source, s, MatlabResize.Variant.BASICSR);
      if (hr.width() / Backbone.SCALE < LR_PATCH || hr.height() / Backbone.SCALE < LR_PATCH) {
        continue;
      }
      out.add(SrBenchmark.prepare(hr, MatlabResize.Variant.BASICSR));
    }
    return out;
  }

  /** Number of prepared (HR, LR) pairs. */
  public int pairs() {
    return pairs.size();
  }

  /** The folders the pairs came from, with their image counts (for provenance). */
  public List<DataFolder> folders() {
    return folders;
  }

  /**
   * Draws {@code n} aligned, augmented patches from {@code random} (per sample: pair, y, x, then
   * dihedral variant).
   */
  public Batch sample(SplittableRandom random, int n) {
    float[] lr = new float[n * 3 * LR_PATCH * LR_PATCH];
    float[] hr = new float[n * 3 * HR_PATCH * HR_PATCH];
    float[] lrTmp = new float[3 * LR_PATCH * LR_PATCH];
    float[] hrTmp = new float[3 * HR_PATCH * HR_PATCH];
    long total = cumulativePositions[cumulativePositions.length - 1];
    for (int i = 0; i < n; i++) {
      long pick = random.nextLong(total);
      int index = upperBound(cumulativePositions, pick);
      SrBenchmark.Pair p = pairs.get(index);
      int y = random.nextInt(p.lr().height() - LR_PATCH + 1);
      int x = random.nextInt(p.lr().width() - LR_PATCH + 1);
      int k = random.nextInt(Dihedral.VARIANTS);
      toPlanar(p.lr(), x, y, LR_PATCH, lrTmp);
      toPlanar(p.hr(), Backbone.SCALE * x, Backbone.SCALE * y, HR_PATCH, hrTmp);
      Dihedral.apply(lrTmp, 0, 3, LR_PATCH, k, lr, i * lrTmp.length);
      Dihedral.apply(hrTmp, 0, 3, HR_PATCH, k, hr, i * hrTmp.length);
    }
    return new Batch(n, lr, hr);
  }

  /** The first index whose cumulative count exceeds {@code value}. */
  private static int upperBound(long[] cumulative, long value) {
    int lo = 0;
    int hi = cumulative.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cumulative[mid] > value) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  /** The n x n square at (x0, y0) as planar (3, n, n) floats b / 255 (ARM.md 2.2). */
  private static void toPlanar(Rgb8Image img, int x0, int y0, int n, float[] out) {
    byte[] px = img.pixels();
    int plane = n * n;
    for (int y = 0; y < n; y++) {
      int row = ((y0 + y) * img.width() + x0) * 3;
      for (int x = 0; x < n; x++) {
        int s = row + x * 3;
        out[y * n + x] = (px[s] & 0xff) / 255f;
        out[plane + y * n + x] = (px[s + 1] & 0xff) / 255f;
        out[2 * plane + y * n + x] = (px[s + 2] & 0xff) / 255f;
      }
    }
  }
}
