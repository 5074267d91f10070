package io.armsr.cli;

import io.armsr.image.Rgb8Image;
import io.armsr.infer.ArmModel;
import io.armsr.infer.RoutingMask;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.io.ImageFiles;
import io.armsr.model.Backbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code armsr upscale IN OUT}: x4 super-resolution of one image. */
@Command(
    name = "upscale",
    mixinStandardHelpOptions = true,
    description = "Upscale an image x4, routing each 32x32 patch to a sub-network.")
final class UpscaleCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IN", description = "input image (PNG, JPEG, BMP)")
  Path input;

  @Parameters(
      index = "1",
      paramLabel = "OUT",
      description = "output image; the format follows the extension (png, jpg, bmp)")
  Path output;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Option(names = "--mask", paramLabel = "F", description = "also write the routing overlay to F")
  Path mask;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(output) && sameFile(input, output)) {
      throw new IllegalArgumentException(
          "OUT " + output + " is the input file; refusing to overwrite it");
    }
    Upscaler.Options options = grid.options();
    var mode = routing.mode();
    long start = System.nanoTime();
    Rgb8Image lr = ImageFiles.read(input);
    try (ArmModel m = model.load()) {
      UpscaleResult result = new Upscaler(m, options).upscale(lr, mode);
      if (!result.withinBudget()) {
        System.err.println(
            "armsr: warning: "
                + mode.label()
                + " cannot be met: the cheapest subnet of every patch costs more; used those");
      }
      ImageFiles.write(result.image(), output);
      if (mask != null) {
        ImageFiles.write(RoutingMask.render(result), mask);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println(summary(m.backbone(), lr, result, options.grid().id(), seconds));
    }
    return 0;
  }

  static String summary(Backbone b, Rgb8Image lr, UpscaleResult r, String gridId, double seconds) {
    int[] n = r.classes();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%dx%d -> %dx%d, %s, %s grid, %d patches [bicubic %d",
            lr.width(),
            lr.height(),
            r.canvas().width(),
            r.canvas().height(),
            r.mode().label(),
            gridId,
            r.grid().size(),
            n[0]));
    for (int j = 1; j < n.length; j++) {
      sb.append(", w").append(b.width(j)).append(' ').append(n[j]);
    }
    double full = b.paperFlops(Backbone.SUBNETS - 1);
    sb.append(
        String.format(
            "], %.1f MFLOPs/patch (%.1f%% of full width; %.1f M true multiply-adds), %.2f s",
            r.meanFlops() / 1e6, 100 * r.meanFlops() / full, r.meanMultiplyAdds(b) / 1e6, seconds));
    return sb.toString();
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
