package io.armsr.lut;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.model.PatchGeometry;
import io.armsr.model.SrBenchmark;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Validation patch pairs for building the Edge-to-PSNR table from HR images alone.
 *
 * <p>The release cuts DIV2K-valid HR and its official x4 LR into 32x32 LR / 128x128 HR pairs
 * (ARM.md 2.1, {@code extract_subimages_test.py}). Without the official LR, an image is prepared as
 * the benchmarks are ({@link SrBenchmark#prepare}, {@code generate_mod_LR_bic.py}): modcrop the HR
 * to a multiple of 4, LR = MATLAB bicubic x1/4 with antialiasing ({@link MatlabResize}). LR patches
 * start at {@code 0, step, 2 step, ...} along each axis, plus one flush with the far border when
 * the uncovered remainder exceeds {@value #LR_THRESHOLD} pixels (the release's {@code thres_sz});
 * each is paired with the HR patch at 4x its position. Patches are cut in row-major order.
 *
 * <p>The 100 256x256 crops of {@code DIV2K_valid_c256} give 64x64 LR images, hence only 4 patches
 * per image at the release's step of 28; {@value #DEFAULT_STEP} (25 per image) gives a denser
 * sample. The optional 8 dihedral variants (ARM.md 2.2's augmentation) multiply the PSNR samples
 * but not the edge scores: the Laplacian kernel and the reflect-101 border are symmetric under all
 * 8, so every variant of a patch has the same edge score.
 */
public final class ValidationPatches {
  /** LR patch size (ARM.md 2.1): {@link PatchGeometry#LR_PATCH}. */
  public static final int LR_PATCH = PatchGeometry.LR_PATCH;

  /**
   * Dense default step in LR pixels (the release uses {@link PatchGeometry#STEP} on full-size DIV2K
   * images).
   */
  public static final int DEFAULT_STEP = 8;

  /** A flush last patch is added when more than this many LR pixels would stay uncovered. */
  public static final int LR_THRESHOLD = 12;

  private ValidationPatches() {}

  /**
   * All pairs of one HR image: modcrop, MATLAB x1/4, then 32x32 LR patches at {@code step}.
   *
   * @param dihedral also emit the 7 other dihedral variants of every pair, right after it
   * @throws IllegalArgumentException if the LR image is smaller than a patch or {@code step < 1}
   */
  public static List<PatchPair> cut(Rgb8Image hr, int step, boolean dihedral) {
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, got " + step);
    }
    int s = Backbone.SCALE;
    if (hr.width() / s < LR_PATCH || hr.height() / s < LR_PATCH) {
      throw new IllegalArgumentException(
          "image "
              + hr.width()
              + "x"
              + hr.height()
              + " is smaller than one "
              + PatchGeometry.HR_PATCH
              + "x"
              + PatchGeometry.HR_PATCH
              + " HR patch");
    }
    SrBenchmark.Pair pair = SrBenchmark.prepare(hr, MatlabResize.Variant.MATLAB);
    Rgb8Image gt = pair.hr();
    Rgb8Image lr = pair.lr();
    List<PatchPair> out = new ArrayList<>();
    for (int y : starts(lr.height(), step)) {
      for (int x : starts(lr.width(), step)) {
        PatchPair p =
            new PatchPair(
                lr.crop(x, y, LR_PATCH, LR_PATCH),
                gt.crop(s * x, s * y, s * LR_PATCH, s * LR_PATCH));
        if (dihedral) {
          for (int t = 0; t < 8; t++) {
            out.add(new PatchPair(dihedral(p.lr(), t), dihedral(p.hr(), t)));
          }
        } else {
          out.add(p);
        }
      }
    }
    return out;
  }

  /**
   * Patch starts along an axis of {@code length} LR pixels: {@code arange(0, length - 32 + 1,
   * step)}, plus {@code length - 32} if more than {@value #LR_THRESHOLD} pixels remain uncovered.
   */
  static List<Integer> starts(int length, int step) {
    List<Integer> out = new ArrayList<>();
    for (int x = 0; x <= length - LR_PATCH; x += step) {
      out.add(x);
    }
    int last = out.get(out.size() - 1);
    if (length - (last + LR_PATCH) > LR_THRESHOLD) {
      out.add(length - LR_PATCH);
    }
    return out;
  }

  /**
   * Dihedral variant {@code t} (0..7) of an image: bit 0 flips left-right, bit 1 flips top-bottom,
   * bit 2 transposes (after the flips), so 0 is the identity.
   */
  static Rgb8Image dihedral(Rgb8Image img, int t) {
    if (t < 0 || t > 7) {
      throw new IllegalArgumentException("dihedral variant must be 0..7, got " + t);
    }
    boolean flipX = (t & 1) != 0;
    boolean flipY = (t & 2) != 0;
    boolean transpose = (t & 4) != 0;
    int w = img.width();
    int h = img.height();
    int outW = transpose ? h : w;
    int outH = transpose ? w : h;
    byte[] src = img.pixels();
    byte[] out = new byte[src.length];
    for (int y = 0; y < outH; y++) {
      for (int x = 0; x < outW; x++) {
        // Output (x, y) reads the flipped image at (y, x) when transposed.
        int fx = transpose ? y : x;
        int fy = transpose ? x : y;
        int sx = flipX ? w - 1 - fx : fx;
        int sy = flipY ? h - 1 - fy : fy;
        System.arraycopy(src, (sy * w + sx) * 3, out, (y * outW + x) * 3, 3);
      }
    }
    return new Rgb8Image(outW, outH, out);
  }

  /**
   * The image files in {@code dir} and its sub-folders ({@link ImageExtensions#walk}), sorted by
   * path. Recursive, so that a data set folder with an HR/ (or any) sub-folder can be named
   * directly.
   */
  public static List<Path> imageFiles(Path dir) {
    try {
      return ImageExtensions.walk(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list images in " + dir, e);
    }
  }

  /** {@link #fromFiles} over every image of {@code dir} ({@link #imageFiles}). */
  public static Iterable<PatchPair> fromFolder(Path dir, int step, boolean dihedral) {
    return fromFiles(imageFiles(dir), step, dihedral);
  }

  /**
   * The pairs of {@code files}, in order, read lazily: only one image and its patches are in memory
   * at a time, and each iteration reads the files again.
   *
   * <p>An unreadable image ends the iteration with an {@link UncheckedIOException} whose cause is
   * the reader's exception ({@link ImageFiles#read}, one that names the file).
   */
  public static Iterable<PatchPair> fromFiles(List<Path> files, int step, boolean dihedral) {
    if (step < 1) {
      throw new IllegalArgumentException("step must be >= 1, got " + step);
    }
    List<Path> list = List.copyOf(files);
    return () ->
        new Iterator<>() {
          private int next;
          private Iterator<PatchPair> current = Collections.emptyIterator();

          @Override
          public boolean hasNext() {
            while (!current.hasNext() && next < list.size()) {
              Path file = list.get(next++);
              try {
                current = cut(ImageFiles.read(file), step, dihedral).iterator();
              } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
              }
            }
            return current.hasNext();
          }

          @Override
          public PatchPair next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return current.next();
          }
        };
  }
}
