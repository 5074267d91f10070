package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.PlanarImage;
import io.armsr.model.Backbone;
import io.armsr.testing.FixtureModel;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine reads FSRCNN's output before the pixel shuffle and does the shuffle as it reads the
 * kept centres: the same floats as reading the shuffled output, for both grids and every width.
 */
class SubPixelReadOutTest {
  @TempDir Path dir;

  @Test
  void readingBeforeTheShuffleGivesTheSameCentres() throws Exception {
    try (ArmModel model = FixtureModel.load(dir);
        NDManager m = NDManager.newBaseManager()) {
      for (Grid g : Grid.values()) {
        Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(g));
        PatchGrid grid = PatchGrid.of(g, 100, 70);
        int margin = up.options().effectiveMargin();
        int inH = grid.patchHeight() + 2 * margin;
        int inW = grid.patchWidth() + 2 * margin;
        float[] data = new float[3 * 3 * inH * inW];
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < data.length; i++) {
          data[i] = (float) rnd.nextDouble();
        }
        NDArray x = m.create(data, new Shape(3, 3, inH, inW));
        for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
          NDArray before = model.supernet().forwardBeforeShuffle(x, subnet).orElseThrow();
          assertArrayEquals(new long[] {3, 48, inH, inW}, before.getShape().getShape());
          Upscaler.SrBatch shuffled =
              new Upscaler.SrBatch(model.supernet().forward(x, subnet).toFloatArray(), false);
          Upscaler.SrBatch sub = new Upscaler.SrBatch(before.toFloatArray(), true);
          int size = 3 * grid.patchHeight() * 4 * grid.patchWidth() * 4;
          for (int b = 0; b < 3; b++) {
            float[] a = new float[size];
            float[] c = new float[size];
            up.keptCentre(shuffled, b, grid, a);
            up.keptCentre(sub, b, grid, c);
            assertArrayEquals(a, c, 0f, g + " subnet " + subnet + " patch " + b);
          }
        }
        // And the engine takes that path for widths, not for the bicubic branch.
        PlanarImage lr = PlanarImage.fromRgb8(UpscalerTest.randomImage(100, 70, 3));
        assertTrue(up.runBatch(lr, grid, List.of(0, 1), 3).subPixel());
        assertTrue(!up.runBatch(lr, grid, List.of(0, 1), 0).subPixel());
      }
    }
  }
}
