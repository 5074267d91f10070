package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.route.RoutingMode;

/**
 * The outcome of upscaling one image with one routing mode.
 *
 * @param mode the routing mode
 * @param grid the patch grid that was used
 * @param edgeScores edge score of every patch (ARM.md 4.1), row-major
 * @param subnets the subnet chosen for every patch, row-major
 * @param costs cost of every subnet (the table's {@code cost_list})
 * @param canvas the stitched SR image, (3, 4 * coveredHeight, 4 * coveredWidth), values on the
 *     0..255 scale and not rounded (the official {@code combine} output, ARM.md 5.4)
 */
public record UpscaleResult(
    RoutingMode mode,
    PatchGrid grid,
    double[] edgeScores,
    int[] subnets,
    double[] costs,
    PlanarImage canvas)
    implements RoutedPatches {

  /** The output image: the canvas clamped to 0..255 and rounded half to even. */
  public Rgb8Image image() {
    return toRgb8(canvas);
  }

  /** Rounds a 0..255 float canvas to 8 bits (clamped, half to even). */
  public static Rgb8Image toRgb8(PlanarImage canvas255) {
    int h = canvas255.height();
    int w = canvas255.width();
    int plane = h * w;
    float[] d = canvas255.data();
    byte[] out = new byte[plane * 3];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        out[i * 3 + c] = (byte) PlanarImage.toByte255(d[c * plane + i]);
      }
    }
    return new Rgb8Image(w, h, out);
  }
}
