package io.armsr.infer;

import io.armsr.imagefile.ImageHeader;
import io.armsr.imagefile.ImageReadException;
import io.armsr.model.Backbone;

/**
 * The Java heap an upscale cannot do without, estimated from the image's size before any of it is
 * allocated, so that an image too large for the heap is refused with a clear message instead of
 * ending in an {@link OutOfMemoryError} half way (in a folder run, that image fails and the others
 * go on).
 *
 * <p>The estimate is a lower bound: only the large arrays that must exist at the same time are
 * counted, per LR pixel {@code p} of the covered area and per output pixel {@code q = 16p}:
 *
 * <ul>
 *   <li>the decoded input: 3 bytes of RGB, 6 more for 16-bit samples, 2 for alpha; its [0, 1] float
 *       copy, 12 bytes;
 *   <li>streamed: the finished output, 3 bytes per output pixel (9 for 16-bit, 2 more for alpha)
 *       and the band of float rows under construction, one patch high ({@code 3 x 4ph x outW x 4}
 *       bytes, {@code ph} the patch height in LR pixels, 32 or the image's height if smaller),
 *       which is what makes an extreme aspect ratio (a 44,739,242 x 1 strip: 8.6 GB) need so much;
 *   <li>progressive ({@code --deadline-ms}): the float canvas, its bicubic start and the average,
 *       36 bytes per output pixel;
 *   <li>a resize to another output size: about 24 bytes per output pixel of working copies;
 *   <li>the encoder's copy of the output, 4 bytes per output pixel.
 * </ul>
 *
 * Measured against {@code docs/BENCHMARKS.md}'s 1920x1080 figure (0.75 GB resident, streamed) the
 * estimate of about 0.3 GB is well below, so it refuses only what cannot work.
 */
public final class UpscaleMemory {
  private UpscaleMemory() {}

  /**
   * The largest input whose x4 output the upscaler can hold: its canvas is one float array of
   * {@code 3 * 16 * pixels} elements.
   */
  public static final long MAX_UPSCALE_PIXELS = (Integer.MAX_VALUE - 8L) / (3L * 16);

  /**
   * The least heap, in bytes, an upscale of an image covering {@code grid} needs.
   *
   * @param sixteenBit whether the input (and so the output) has 16-bit samples
   * @param alpha whether the input has an alpha channel
   * @param progressive the any-time path (whole float canvases) instead of the streamed one
   * @param resized whether the x4 result is then resized to another size
   */
  public static long leastBytes(
      PatchGrid grid, boolean sixteenBit, boolean alpha, boolean progressive, boolean resized) {
    long s = Backbone.SCALE;
    long w = grid.imageWidth();
    long h = grid.imageHeight();
    long p = w * h;
    long outW = grid.coveredWidth() * s;
    long q = outW * grid.coveredHeight() * s;
    double bytes = p * (3.0 + (sixteenBit ? 6 : 0) + (alpha ? 2 : 0) + 12);
    double perOutput = 3 + (sixteenBit ? 6 : 0) + (alpha ? 2 : 0) + 4 + (resized ? 24 : 0);
    bytes += q * perOutput;
    bytes += progressive ? 36.0 * q : 3.0 * grid.patchHeight() * s * outW * 4;
    return bytes >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) bytes;
  }

  /**
   * Why an upscale needing {@code leastBytes} cannot run in this JVM's heap ({@link
   * Runtime#maxMemory()}), or null if it may.
   */
  public static String shortfall(long leastBytes) {
    long max = Runtime.getRuntime().maxMemory();
    if (max == Long.MAX_VALUE || leastBytes <= max) {
      return null;
    }
    return "upscaling it needs at least "
        + size(leastBytes)
        + " of Java heap, more than the "
        + size(max)
        + " this JVM may use";
  }

  /**
   * Refuses, from its header alone, an image whose upscale in {@code grid} cannot fit this JVM's
   * heap ({@link #leastBytes}, {@link #shortfall}): before its pixels are decoded, so that even a
   * small file of a huge strip costs nothing.
   *
   * @param progressive the any-time path (whole float canvases)
   * @param resized whether the x4 result is then resized to another size
   * @param advice how to give the JVM more heap, appended to the message in parentheses
   * @throws ImageReadException naming the file, if the heap is too small
   */
  public static void check(
      Grid grid, ImageHeader header, boolean progressive, boolean resized, String advice)
      throws ImageReadException {
    PatchGrid covered = PatchGrid.of(grid, header.width(), header.height());
    String shortfall =
        shortfall(
            leastBytes(covered, header.bitDepth() == 16, header.alpha(), progressive, resized));
    if (shortfall != null) {
      throw new ImageReadException(header.file(), shortfall + " (" + advice + ")");
    }
  }

  /** Bytes for people: MB below 10 GB, GB above. */
  static String size(long bytes) {
    return bytes < 10L << 30
        ? String.format(java.util.Locale.ROOT, "%,d MB", (bytes + (1 << 20) - 1) >> 20)
        : String.format(java.util.Locale.ROOT, "%,.1f GB", bytes / (double) (1L << 30));
  }
}
