package io.armsr.cli;

import io.armsr.image.Rgb8Image;
import io.armsr.infer.ArmModel;
import io.armsr.infer.RoutingMask;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.io.DecodedImage;
import io.armsr.io.ImageFiles;
import io.armsr.io.ImageFormat;
import io.armsr.io.ReadLimits;
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

  /**
   * The largest input whose x4 output the upscaler can hold: its canvas is one float array of
   * {@code 3 * 16 * pixels} elements.
   */
  static final long MAX_UPSCALE_PIXELS = (Integer.MAX_VALUE - 8L) / (3L * 16);

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description = "input image (PNG, JPEG, BMP, TIFF, WebP; gray, alpha and 16-bit kept)")
  Path input;

  @Parameters(
      index = "1",
      paramLabel = "OUT",
      description =
          "output image; the format follows the extension (png, jpg, jpeg, bmp, tif, tiff)")
  Path output;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Option(names = "--mask", paramLabel = "F", description = "also write the routing overlay to F")
  Path mask;

  @Option(
      names = "--quality",
      paramLabel = "Q",
      defaultValue = "95",
      description = "JPEG output quality, 1..100 (default: ${DEFAULT-VALUE})")
  int quality;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      defaultValue = "100000000",
      description =
          "refuse inputs of more than N pixels, checked from the header before decoding"
              + " (default: ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(
      names = "--force",
      description = "allow OUT to be the input file (it is still replaced atomically)")
  boolean force;

  @Override
  public Integer call() throws IOException {
    // Every check that needs no pixels comes first, so a bad option costs nothing and writes
    // nothing.
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("--quality must be 1..100, got " + quality);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
    }
    ImageFormat.forOutput(output);
    if (mask != null) {
      ImageFormat.forOutput(mask);
      refuseSameFile(mask, input, "--mask", "the input file");
      if (mask.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("--mask " + mask + " is the same file as OUT");
      }
    }
    if (!force) {
      refuseSameFile(output, input, "OUT", "the input file; refusing to overwrite it (--force)");
    }
    Upscaler.Options options = grid.options();
    var mode = routing.mode();
    long start = System.nanoTime();
    ReadLimits limits =
        maxPixels <= MAX_UPSCALE_PIXELS
            ? ReadLimits.ofMaxPixels(maxPixels)
            : new ReadLimits(MAX_UPSCALE_PIXELS, "the largest input armsr can upscale x4");
    DecodedImage in = ImageFiles.readImage(input, limits);
    Rgb8Image lr = in.rgb();
    try (ArmModel m = model.load()) {
      UpscaleResult result = new Upscaler(m, options).upscale(lr, mode);
      if (!result.withinBudget()) {
        System.err.println(
            "armsr: warning: "
                + mode.label()
                + " cannot be met: the cheapest subnet of every patch costs more; used those");
      }
      DecodedImage out = in.upscaled(result.image(), Backbone.SCALE);
      for (String warning : ImageFiles.writeImage(out, output, quality)) {
        System.err.println("armsr: warning: " + warning);
      }
      if (mask != null) {
        ImageFiles.writeImage(DecodedImage.of(RoutingMask.render(result)), mask, quality);
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

  private static void refuseSameFile(Path target, Path in, String what, String problem) {
    if (Files.exists(target) && sameFile(in, target)) {
      throw new IllegalArgumentException(what + " " + target + " is " + problem);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
