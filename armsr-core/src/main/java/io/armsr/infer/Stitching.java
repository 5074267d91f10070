package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.model.Backbone;
import java.util.Arrays;

/**
 * Puts SR patches together into the output: the sub-pixel read-out of a batch, the overlap weights
 * and the float canvas (ARM.md 5.4). Shared by the whole-image, streamed and progressive paths, so
 * all of them make the same floats of the same patches.
 *
 * <p>Each output sample is the average of the patches covering it. The reference grid rounds each
 * patch to 8 bits first, as the release's {@code tensor2img}; the full grid keeps floats and rounds
 * once, at the end. Immutable and thread-safe.
 */
final class Stitching {
  private final boolean reference;
  private final int margin;

  /**
   * @param grid the grid the patches were cut from
   * @param margin the LR context pixels around each patch in the batches (0 in the reference grid)
   */
  Stitching(Grid grid, int margin) {
    this.reference = grid == Grid.REFERENCE;
    this.margin = margin;
  }

  /**
   * The factors each output sample of a patch is multiplied by as it is added to the canvas, for
   * the overlap average (ARM.md 5.4), which divides each sum by the number of patches covering the
   * sample. That count is 1, 2 or 4 in the default grids; a power-of-two weight {@code 1 / count}
   * scales floats exactly, so adding every sample already weighted gives the same floats as
   * dividing the sums afterwards, and saves a pass over the canvas. When some count is not a power
   * of two (the full grid's last patches can overlap three deep), every factor is 1 and the sums
   * are divided at the end ({@link #divideRow}); multiplying by 1 is exact, so both cases give
   * exactly the floats of the plain average.
   *
   * @param rows {@code [outH]} the row factors
   * @param cols {@code [outW]} the column factors
   * @param countY {@code [outH]} patches covering each row, or null when the factors are exact
   * @param countX {@code [outW]} patches covering each column, or null when the factors are exact
   */
  record Weights(float[] rows, float[] cols, float[] countY, float[] countX) {
    /** The weights of the canvas that {@code grid}'s patches cover. */
    static Weights of(PatchGrid grid) {
      int s = Backbone.SCALE;
      float[] countY = coverage(grid.ys(), grid.patchHeight() * s, grid.coveredHeight() * s, s);
      float[] countX = coverage(grid.xs(), grid.patchWidth() * s, grid.coveredWidth() * s, s);
      if (powersOfTwo(countY) && powersOfTwo(countX)) {
        return new Weights(reciprocals(countY), reciprocals(countX), null, null);
      }
      return new Weights(ones(countY.length), ones(countX.length), countY, countX);
    }

    /** Whether the sums still need dividing by the counts. */
    boolean divides() {
      return countY != null;
    }

    /**
     * Writes output row {@code y}'s sums, {@code from[from0 .. from0 + outW)}, divided by their
     * counts, to {@code to[to0 ..]} (which may be the same place).
     */
    void divideRow(float[] from, int from0, int y, float[] to, int to0) {
      float cy = countY[y];
      for (int x = 0; x < countX.length; x++) {
        to[to0 + x] = from[from0 + x] / (cy * countX[x]);
      }
    }

    /** Divides a whole (3, outH, outW) canvas of sums in place, when the weights leave that. */
    void finish(float[] canvas, int outH, int outW) {
      if (!divides()) {
        return;
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < outH; y++) {
          divideRow(canvas, (c * outH + y) * outW, y, canvas, (c * outH + y) * outW);
        }
      }
    }

    private static float[] reciprocals(float[] counts) {
      float[] r = new float[counts.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = 1f / counts[i];
      }
      return r;
    }

    private static float[] ones(int n) {
      float[] r = new float[n];
      Arrays.fill(r, 1f);
      return r;
    }

    private static boolean powersOfTwo(float[] counts) {
      for (float c : counts) {
        int n = (int) c;
        if (n != c || n < 1 || Integer.bitCount(n) != 1) {
          return false;
        }
      }
      return true;
    }
  }

  /** Number of patches covering each output row (or column): 1, 2 or, in the full grid, more. */
  static float[] coverage(int[] origins, int patchOut, int outSize, int scale) {
    float[] count = new float[outSize];
    for (int o : origins) {
      for (int i = 0; i < patchOut; i++) {
        count[o * scale + i]++;
      }
    }
    return count;
  }

  /**
   * Adds the kept centre of SR patch {@code b}, on the 0..255 scale and times the overlap weight of
   * each output sample, to the canvas at the patch's place: output sample (c, y, x) is {@code out[c
   * * plane + (y - lo) * outW + x]}, so that a band of rows from {@code lo} can be the canvas (the
   * streamed upscale); the reference grid rounds each patch to 8 bits first ({@link #kept}). The
   * full grid's sub-pixel stitching is the hot loop: the 48 read-out channels of one LR position
   * are read together (Y, c, i, X order), four samples per LR column.
   */
  void addWeighted(
      SrBatch batch,
      int b,
      PatchGrid grid,
      float[] out,
      PatchGrid.Patch patch,
      int outW,
      int plane,
      int lo,
      Weights weights) {
    int s = Backbone.SCALE;
    float[] sr = batch.data();
    float[] wy = weights.rows();
    float[] wx = weights.cols();
    int oy = patch.y() * s;
    int ox = patch.x() * s;
    int rows = grid.patchHeight();
    int cols = grid.patchWidth();
    if (!batch.subPixel()) {
      int m = margin * s;
      int ph = rows * s;
      int pw = cols * s;
      int srH = ph + 2 * m;
      int srW = pw + 2 * m;
      int base = b * 3 * srH * srW;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < ph; y++) {
          float w = wy[oy + y];
          int from = base + (c * srH + y + m) * srW + m;
          int to = c * plane + (oy + y - lo) * outW + ox;
          for (int x = 0; x < pw; x++) {
            out[to + x] += kept(sr[from + x]) * (w * wx[ox + x]);
          }
        }
      }
      return;
    }
    // (B, H, W, 48), centres only, already clamped: SR sample (c, 4Y + i, 4X + k) of the centre is
    // channel 16c + 4i + k at (Y, X).
    for (int y = 0; y < rows; y++) {
      int from = (b * rows + y) * cols * 48;
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < s; i++) {
          int yo = oy + s * y + i;
          float w = wy[yo];
          int to = c * plane + (yo - lo) * outW + ox;
          int f = from + c * 16 + i * 4;
          if (reference) {
            // The reference grid rounds every patch to 8 bits, as the release's tensor2img.
            for (int x = 0, xo = ox; x < cols; x++, f += 48, to += 4, xo += 4) {
              for (int k = 0; k < s; k++) {
                out[to + k] += PlanarImage.toByte(sr[f + k]) * (w * wx[xo + k]);
              }
            }
            continue;
          }
          for (int x = 0, xo = ox; x < cols; x++, f += 48, to += 4, xo += 4) {
            out[to] += sr[f] * 255f * (w * wx[xo]);
            out[to + 1] += sr[f + 1] * 255f * (w * wx[xo + 1]);
            out[to + 2] += sr[f + 2] * 255f * (w * wx[xo + 2]);
            out[to + 3] += sr[f + 3] * 255f * (w * wx[xo + 3]);
          }
        }
      }
    }
  }

  /**
   * Writes the kept centre of SR patch {@code b} of a batch to {@code out} as 0..255 floats (3,
   * 4ph, 4pw): the margin is cut away; the reference grid rounds it to 8 bits as the release's
   * {@code tensor2img} does, the full grid keeps floats and rounds once, at the end. Reads either
   * layout of {@link SrBatch}, doing the pixel shuffle of a sub-pixel batch as it reads.
   */
  void keptCentre(SrBatch batch, int b, PatchGrid grid, float[] out) {
    int s = Backbone.SCALE;
    int m = margin * s;
    int ph = grid.patchHeight() * s;
    int pw = grid.patchWidth() * s;
    float[] sr = batch.data();
    if (!batch.subPixel()) {
      int srH = ph + 2 * m;
      int srW = pw + 2 * m;
      int base = b * 3 * srH * srW;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < ph; y++) {
          int from = base + (c * srH + y + m) * srW + m;
          int to = (c * ph + y) * pw;
          for (int x = 0; x < pw; x++) {
            out[to + x] = kept(sr[from + x]);
          }
        }
      }
      return;
    }
    // (B, H, W, 48), centres only, already clamped: SR sample (c, 4Y + i, 4X + k) of the centre is
    // channel 16c + 4i + k at (Y, X).
    int rows = grid.patchHeight();
    int cols = grid.patchWidth();
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < ph; y++) {
        int to = (c * ph + y) * pw;
        int from = ((b * rows + (y >> 2)) * cols) * 48 + c * 16 + (y & 3) * 4;
        for (int x = 0; x < cols; x++, from += 48) {
          for (int k = 0; k < s; k++) {
            float v = sr[from + k];
            out[to + x * s + k] = reference ? PlanarImage.toByte(v) : v * 255f;
          }
        }
      }
    }
  }

  /** One SR sample on the 0..255 scale: rounded to 8 bits in the reference grid, else clamped. */
  private float kept(float v) {
    return reference ? PlanarImage.toByte(v) : Math.min(1f, Math.max(0f, v)) * 255f;
  }
}
