package io.armsr.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Grid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Evaluator} upscales the small images of each group of a dataset together ({@link
 * Upscaler#upscaleGroup}) and the large ones alone: every image's scores must be those of upscaling
 * it by itself, in order, in both grids, for one mode (a mixed routing) and for two.
 */
class EvaluatorTest {
  @TempDir Path dir;

  /**
   * Eleven HR crops of kodim23 with their MATLAB-bicubic x4 LR: nine small ones of several sizes,
   * and two whose grids have more patches than a joint batch, so that both kinds meet in groups of
   * eight (one mode) and of four (two modes).
   */
  private PairedDataset dataset() throws IOException {
    Rgb8Image kodim;
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/kodak/kodim23.png")) {
      Path file = dir.resolve("kodim23.png");
      Files.copy(in, file);
      kodim = ImageFiles.read(file);
    }
    Rgb8Image mirrored = mirrored(kodim, 1280, 1024);
    // (x, y, width, height) of the HR crops, multiples of 4. The small ones have at most 35
    // patches; the 1024x1024 and 1280x896 crops (256x256 and 320x224 LR) have 81 and 77 in the
    // reference grid, more in the full grid.
    int[][] crops = {
      {0, 0, 160, 160},
      {100, 40, 200, 132},
      {300, 200, 128, 128},
      {0, 0, 768, 512},
      {400, 100, 240, 180},
      {0, 0, 1024, 1024},
      {20, 300, 300, 200},
      {500, 260, 268, 252},
      {40, 40, 144, 208},
      {0, 128, 1280, 896},
      {600, 380, 160, 132},
    };
    Path hr = Files.createDirectories(dir.resolve("HR"));
    Path lr = Files.createDirectories(dir.resolve("LR"));
    for (int i = 0; i < crops.length; i++) {
      int[] c = crops[i];
      Rgb8Image h = mirrored.crop(c[0], c[1], c[2], c[3]);
      String name = String.format("img%02d.png", i);
      ImageFiles.write(h, hr.resolve(name));
      ImageFiles.write(MatlabResize.resize(h, 1.0 / Backbone.SCALE), lr.resolve(name));
    }
    return PairedDataset.open(hr, lr);
  }

  /** {@code image} extended to {@code width x height} by mirroring it at its right and bottom. */
  private static Rgb8Image mirrored(Rgb8Image image, int width, int height) {
    byte[] out = new byte[width * height * 3];
    for (int y = 0; y < height; y++) {
      int sy = reflect(y, image.height());
      for (int x = 0; x < width; x++) {
        int sx = reflect(x, image.width());
        System.arraycopy(
            image.pixels(), (sy * image.width() + sx) * 3, out, (y * width + x) * 3, 3);
      }
    }
    return new Rgb8Image(width, height, out);
  }

  private static int reflect(int i, int n) {
    int period = 2 * n;
    int r = i % period;
    return r < n ? r : period - 1 - r;
  }

  @Test
  void groupedEvaluationScoresEachImageAsItsOwnUpscale() throws IOException {
    PairedDataset dataset = dataset();
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      for (Grid grid : Grid.values()) {
        check(model, grid, dataset, List.of(new RoutingMode.Tradeoff(1.5)));
        check(
            model, grid, dataset, List.of(new RoutingMode.Tradeoff(1.5), new RoutingMode.Fixed(2)));
      }
    }
  }

  private static void check(
      ArmModel model, Grid grid, PairedDataset dataset, List<RoutingMode> modes)
      throws IOException {
    Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(grid));
    int joinable = 0;
    for (PairedDataset.Pair pair : dataset.pairs()) {
      Rgb8Image lr = ImageFiles.read(pair.lr());
      joinable += up.joinable(lr.width(), lr.height()) ? 1 : 0;
    }
    // Both paths are taken in both grids.
    assertEquals(9, joinable, grid + ": joinable images");

    List<String> progress = new ArrayList<>();
    List<DatasetEval> evals = new Evaluator(up).evaluate(dataset, modes, progress::add);
    assertEquals(dataset.pairs().stream().map(PairedDataset.Pair::name).toList(), progress);
    assertEquals(modes.size(), evals.size());
    boolean mixed = false;
    for (int i = 0; i < dataset.pairs().size(); i++) {
      PairedDataset.Pair pair = dataset.pairs().get(i);
      List<UpscaleResult> alone = up.upscale(ImageFiles.read(pair.lr()), modes);
      Rgb8Image hr = ImageFiles.read(pair.hr());
      for (int m = 0; m < modes.size(); m++) {
        ImageEval expected = Evaluator.score(pair.name(), alone.get(m), hr);
        ImageEval got = evals.get(m).images().get(i);
        String what = grid + " " + pair.name() + " " + modes.get(m).label();
        assertEquals(expected.name(), got.name(), what);
        assertArrayEquals(expected.classes(), got.classes(), what + " classes");
        assertEquals(expected.flops(), got.flops(), 0.0, what + " flops");
        // Only the float rounding of a different batch composition may differ.
        assertEquals(expected.psnr(), got.psnr(), 1e-3, what + " psnr");
        assertEquals(expected.ssimY(), got.ssimY(), 1e-5, what + " ssim");
        long used = java.util.Arrays.stream(got.classes()).filter(n -> n > 0).count();
        mixed |= m == 0 && used > 1;
      }
    }
    assertTrue(mixed, grid + ": the tradeoff routing used one subnet everywhere");
  }
}
