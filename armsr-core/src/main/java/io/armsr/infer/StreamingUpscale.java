package io.armsr.infer;

import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import java.util.Arrays;
import java.util.List;

/**
 * The streamed path of {@link Upscaler#upscaleStreaming}: the patches of one band of grid rows run
 * (batched by subnet, {@link Batching.Path#STREAMING}), and every output row that no later patch
 * can touch is finished and handed to the sink. Only one band of output rows (4 x (28 (rows - 1) +
 * 32) for bands of {@code rows} grid rows) is held in floats, so the memory is bounded by the
 * image's width, not its area.
 *
 * <p>One instance per call: it holds that call's band.
 */
final class StreamingUpscale {
  private final PatchGrid grid;
  private final Stitching stitching;
  private final Stitching.Weights weights;
  private final Upscaler.RowSink sink;
  private final int outW;
  private final int bandHeight;
  private final int bandRows;

  /** {@code band[c][y - lo][x]}: the sums of output rows {@code lo .. lo + bandHeight - 1}. */
  private final float[] band;

  private final float[] row;

  /** The first output row not yet handed out. */
  private int lo;

  /** The band of grid rows being stitched (-1 before the first). */
  private int gridBand = -1;

  /**
   * @param bandRows grid rows per group of batches ({@link Batching#of(Batching.Path, int, int,
   *     Batching.Windows)})
   */
  StreamingUpscale(PatchGrid grid, Stitching stitching, Upscaler.RowSink sink, int bandRows) {
    this.grid = grid;
    this.stitching = stitching;
    this.sink = sink;
    this.bandRows = bandRows;
    int s = Backbone.SCALE;
    this.outW = grid.coveredWidth() * s;
    // A band's patches reach from its first row's origin to the last row's end.
    int rows = Math.min(bandRows, grid.rows());
    this.bandHeight = (grid.patchHeight() + (rows - 1) * Grid.STEP) * s;
    this.weights = Stitching.Weights.of(grid);
    this.band = new float[3 * bandHeight * outW];
    this.row = new float[3 * outW];
  }

  /** Adds the SR patches of one batch, in plan order. */
  void add(Batching.Batch b, SrBatch sr) {
    if (b.group() != gridBand) {
      // Rows above this band's first output row are final: no later patch reaches them. (Every
      // grid row has patches, so every band starts a group of batches.)
      emit(grid.ys()[b.group() * bandRows] * Backbone.SCALE);
      gridBand = b.group();
    }
    List<Integer> patches = b.patches();
    for (int k = 0; k < patches.size(); k++) {
      stitching.addWeighted(
          sr, k, grid, band, grid.patch(patches.get(k)), outW, bandHeight * outW, lo, weights);
    }
  }

  /** Hands the remaining rows to the sink, after the last batch. */
  void finish() {
    emit(grid.coveredHeight() * Backbone.SCALE);
  }

  /** Hands rows {@code lo .. to - 1} to the sink and shifts the band up. */
  private void emit(int to) {
    if (to <= lo) {
      return;
    }
    int done = to - lo;
    for (int y = lo; y < to; y++) {
      for (int c = 0; c < 3; c++) {
        int from = (c * bandHeight + (y - lo)) * outW;
        if (weights.divides()) {
          weights.divideRow(band, from, y, row, c * outW);
        } else {
          System.arraycopy(band, from, row, c * outW, outW);
        }
      }
      sink.row(y, row);
    }
    for (int c = 0; c < 3; c++) {
      int base = c * bandHeight * outW;
      System.arraycopy(band, base + done * outW, band, base, (bandHeight - done) * outW);
      Arrays.fill(band, base + (bandHeight - done) * outW, base + bandHeight * outW, 0f);
    }
    lo = to;
  }
}
