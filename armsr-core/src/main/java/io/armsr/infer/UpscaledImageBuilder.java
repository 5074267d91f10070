package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.model.Backbone;

/**
 * Assembles the output file's image from the rows of {@link Upscaler#upscaleStreaming}: the 8-bit
 * RGB (rounded half to even, as {@link UpscaleResult#image()}) and, for a 16-bit source, the 16-bit
 * samples from the un-rounded rows; alpha and the gray flag come from the source. Holds only the
 * output's bytes, never a float copy of the whole image.
 */
public final class UpscaledImageBuilder implements Upscaler.RowSink {
  private final DecodedImage source;
  private final int width;
  private final int height;
  private final byte[] rgb;
  private final short[] samples16;

  /**
   * @param source the decoded input
   * @param grid the grid the upscale uses (the output covers its area, x4)
   */
  public UpscaledImageBuilder(DecodedImage source, PatchGrid grid) {
    this.source = source;
    this.width = grid.coveredWidth() * Backbone.SCALE;
    this.height = grid.coveredHeight() * Backbone.SCALE;
    this.rgb = new byte[3 * width * height];
    this.samples16 =
        source.bitDepth() == 16 ? new short[width * height * (source.gray() ? 1 : 3)] : null;
  }

  @Override
  public void row(int y, float[] row) {
    int w = width;
    for (int x = 0; x < w; x++) {
      int i = y * w + x;
      float r = row[x];
      float g = row[w + x];
      float b = row[2 * w + x];
      rgb[3 * i] = (byte) PlanarImage.toByte255(r);
      rgb[3 * i + 1] = (byte) PlanarImage.toByte255(g);
      rgb[3 * i + 2] = (byte) PlanarImage.toByte255(b);
      if (samples16 != null) {
        source.sample16(r, g, b, samples16, i);
      }
    }
  }

  /** The 8-bit SR image (after every row has arrived). */
  public Rgb8Image sr() {
    return new Rgb8Image(width, height, rgb);
  }

  /** The output image (after every row has arrived). */
  public DecodedImage build() {
    return source.upscaled(sr(), samples16, Backbone.SCALE);
  }
}
