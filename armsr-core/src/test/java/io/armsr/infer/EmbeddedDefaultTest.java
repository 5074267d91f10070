package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.format.TrainingProvenance;
import io.armsr.format.WeightsFile;
import io.armsr.image.ImageMetrics;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default model: present, trained as docs/TRAINING.md says, and as good as measured
 * there on a photograph the project may ship (Kodak 23, x1/4 and back, full grid).
 */
class EmbeddedDefaultTest {
  @TempDir Path dir;

  /**
   * PSNR (RGB, 4-pixel border) of the default on Kodak 23 at subnets 0..3, as this engine measured
   * it when the model was embedded (docs/TRAINING.md). A regression pin, not a correctness
   * reference: no official pipeline ran these weights.
   */
  static final double[] KODIM23_PSNR = {29.5680, 30.1153, 30.5563, 30.6552};

  @Test
  void theBuildEmbedsTheLongRunsModel() throws Exception {
    assertTrue(ArmModel.hasDefault(Backbone.FSRCNN), "the build embeds the default FSRCNN model");
    Path weights = dir.resolve("fsrcnn.armw");
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/default/fsrcnn.armw")) {
      Files.copy(in, weights);
    }
    WeightsFile.Contents c = WeightsFile.read(weights);
    assertEquals(Backbone.FSRCNN, c.backbone());
    TrainingProvenance p = c.provenance();
    // The third warm restart's 200,000 iterations (seed 5), from the second restart's weights
    // (docs/TRAINING.md has the chain: 300,000 + 700,000 + 400,000 + 200,000 iterations).
    assertEquals(200_000, p.iterations());
    assertEquals(5, p.seed());
    assertEquals(
        List.of("BSD200", "T91", "USC_SIPI_aerials", "RealSR_GT", "skimage"),
        p.data().stream().map(d -> Path.of(d.folder()).getFileName().toString()).toList());
    assertTrue(c.training().isEmpty(), "the shipped file holds weights only, no optimizer state");
  }

  /**
   * Regression pin: the engine's own PSNR on Kodak 23 when the default was embedded ({@link
   * #KODIM23_PSNR}, within 0.01 dB), so that a change to the weights, the routing or the stitching
   * shows. Correctness of the engine is checked against the official pipeline elsewhere
   * (GoldenParityTest); what this adds that a pin cannot fake is that PSNR rises with width.
   */
  @Test
  void kodak23PsnrIsPinned() throws Exception {
    Rgb8Image lr = ImageFiles.read(Shared.inRepo("examples/kodim23-lr.png"));
    Path hrFile = dir.resolve("kodim23.png");
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/kodak/kodim23.png")) {
      Files.copy(in, hrFile);
    }
    Rgb8Image hr = ImageFiles.read(hrFile);
    try (ArmModel m = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler up = new Upscaler(m, Upscaler.Options.defaults());
      double[] psnr = new double[Backbone.SUBNETS];
      for (int j = 0; j < psnr.length; j++) {
        psnr[j] = ImageMetrics.psnr(up.upscale(lr, new RoutingMode.Fixed(j)).canvas(), hr, 4);
        System.out.printf("kodim23, subnet %d: %.4f dB%n", j, psnr[j]);
      }
      for (int j = 0; j < psnr.length; j++) {
        assertEquals(KODIM23_PSNR[j], psnr[j], 0.01, "subnet " + j);
      }
      for (int j = 1; j < psnr.length; j++) {
        assertTrue(psnr[j] > psnr[j - 1], "PSNR rises with width at subnet " + j);
      }
    }
  }
}
