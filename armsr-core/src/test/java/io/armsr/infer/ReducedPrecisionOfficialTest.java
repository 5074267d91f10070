package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.ImageMetrics;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.model.Precision;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bf16 against fp32 with the official weights on real photographs (Set14, every patch at full
 * width, the worst case): the pixels stay within the levels measured for each backbone, {@code
 * auto}'s layers cost under 0.005 dB (Y PSNR against HR), and the reference grid ignores the
 * precision (golden parity runs there).
 *
 * <p>Measured (2026-12-02): FSRCNN bf16 at most 8 levels, mean 0.60, 0.020 dB; auto at most 2, mean
 * 0.25, 0.0016 dB. CARN-M bf16 at most 13 levels, mean 0.27, 0.0042 dB; auto at most 12, mean 0.18,
 * 0.0022 dB (a few pixels of strong edges move most). The bounds sit a little above.
 */
class ReducedPrecisionOfficialTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"fsrcnn, 10, 0.7, 3, 0.3", "carn, 16, 0.35, 16, 0.25"})
  void bf16StaysWithinItsMeasuredBounds(
      String backbone, int bf16Max, double bf16Mean, int autoMax, double autoMean)
      throws Exception {
    Backbone b = Backbone.parse(backbone);
    Path set = Shared.require("data/test/Set14");
    List<Path> lrs = sorted(set.resolve("LR"));
    List<Path> hrs = sorted(set.resolve("HR"));
    try (ArmModel model =
        ArmModel.load(
            b,
            Shared.require("reference/arm-net/arm-" + backbone + ".pth"),
            Shared.require("reference/arm-net/arm-" + backbone + ".state"))) {
      AbstractSupernet net = (AbstractSupernet) model.supernet();
      String before = System.getProperty(Precision.AUTO_LAYERS_PROPERTY);
      // auto's own layer set, also on a CPU without native bf16 (where auto is plain fp32).
      System.setProperty(
          Precision.AUTO_LAYERS_PROPERTY,
          net.harmlessBf16Layers().stream().map(Pattern::quote).collect(Collectors.joining("|")));
      try {
        Upscaler.Options full = Upscaler.Options.defaults().withWorkers(2);
        RoutingMode all = new RoutingMode.Fixed(3);
        double[] cost = new double[2];
        int[] worst = new int[2];
        double[] mean = new double[2];
        for (int i = 0; i < lrs.size(); i++) {
          Rgb8Image lr = ImageFiles.read(lrs.get(i));
          Rgb8Image hr = ImageFiles.read(hrs.get(i));
          Rgb8Image fp32 = new Upscaler(model, full).upscale(lr, all).image();
          int k = 0;
          for (Precision p : List.of(Precision.BF16, Precision.AUTO)) {
            Rgb8Image reduced = new Upscaler(model, full.withPrecision(p)).upscale(lr, all).image();
            int[] d = levels(fp32, reduced);
            worst[k] = Math.max(worst[k], d[0]);
            mean[k] += d[1] / (3.0 * fp32.width() * fp32.height()) / lrs.size();
            cost[k] +=
                (ImageMetrics.psnrY(fp32, hr, 4) - ImageMetrics.psnrY(reduced, hr, 4)) / lrs.size();
            k++;
          }

          if (i > 0) {
            continue;
          }
          // The reference grid is fp32 whatever is asked: byte for byte the same image.
          Upscaler.Options reference = full.withGrid(Grid.REFERENCE);
          assertArrayEquals(
              new Upscaler(model, reference).upscale(lr, all).image().pixels(),
              new Upscaler(model, reference.withPrecision(Precision.BF16))
                  .upscale(lr, all)
                  .image()
                  .pixels(),
              backbone + ": the reference grid must ignore the precision");
        }
        System.out.printf(
            "%s Set14 full width: bf16 max %d mean %.3f levels, cost %.4f dB; auto max %d mean"
                + " %.3f levels, cost %.4f dB%n",
            backbone, worst[0], mean[0], cost[0], worst[1], mean[1], cost[1]);
        assertTrue(worst[0] <= bf16Max && mean[0] <= bf16Mean, backbone + " bf16 off fp32");
        assertTrue(worst[1] <= autoMax && mean[1] <= autoMean, backbone + " auto off fp32");
        assertTrue(worst[0] > 0, "bf16 must differ from fp32 somewhere");
        assertTrue(cost[1] < 0.005, backbone + " auto costs " + cost[1] + " dB");
      } finally {
        if (before == null) {
          System.clearProperty(Precision.AUTO_LAYERS_PROPERTY);
        } else {
          System.setProperty(Precision.AUTO_LAYERS_PROPERTY, before);
        }
      }
    }
  }

  /** {max, sum} of the absolute 8-bit differences. */
  private static int[] levels(Rgb8Image a, Rgb8Image b) {
    byte[] pa = a.pixels();
    byte[] pb = b.pixels();
    int max = 0;
    int sum = 0;
    for (int i = 0; i < pa.length; i++) {
      int d = Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF));
      max = Math.max(max, d);
      sum += d;
    }
    return new int[] {max, sum};
  }

  private static List<Path> sorted(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }
}
