package io.armsr.cli;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Comparison;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code armsr compare IN OUT.png}: bicubic | armsr | routing mask, side by side on a crop. */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description =
        "Write a side-by-side crop: bicubic x4 | armsr | the routing mask, with the legend below.")
final class CompareCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IN", description = "input (LR) image")
  Path input;

  @Parameters(index = "1", paramLabel = "OUT", description = "the comparison image (.png)")
  Path output;

  @Option(
      names = "--crop",
      paramLabel = "x,y,w,h",
      description =
          "region in LR pixels (default: the "
              + Comparison.DEFAULT_CROP
              + "x"
              + Comparison.DEFAULT_CROP
              + " region with the highest edge score)")
  String crop;

  @Mixin ThreadOptions threads;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Override
  public Integer call() throws IOException {
    int workers = threads.workers();
    ImageFormat.forOutput(output);
    Comparison.Crop region = crop == null ? null : parseCrop(crop);
    Upscaler.Options options = grid.options().withWorkers(workers);
    RoutingMode mode = routing.mode(model.backbone, options);
    DecodedImage in =
        ImageFiles.readImage(
            input,
            new ReadLimits(
                UpscaleCommand.MAX_UPSCALE_PIXELS, "the largest input armsr can upscale"));
    Rgb8Image lr = in.rgb();
    if (region == null) {
      region = Comparison.mostDetailed(lr, Comparison.DEFAULT_CROP);
    } else {
      // Checked before the model loads, and named by the flag.
      PatchGrid covered = PatchGrid.of(options.grid(), lr.width(), lr.height());
      if (region.x() + region.width() > covered.coveredWidth()
          || region.y() + region.height() > covered.coveredHeight()) {
        throw new IllegalArgumentException(
            "--crop "
                + crop
                + " is not inside the "
                + covered.coveredWidth()
                + "x"
                + covered.coveredHeight()
                + " area the output covers");
      }
    }
    try (ArmModel m = model.load()) {
      // One pass: the bicubic panel is subnet 0 of the same grid, shared with the routed run.
      List<UpscaleResult> r =
          new Upscaler(m, options).upscale(lr, List.of(new RoutingMode.Fixed(0), mode));
      Rgb8Image image = Comparison.render(r.get(0), r.get(1), m.backbone(), region);
      ImageFiles.writeImage(DecodedImage.of(image), output, ImageFiles.DEFAULT_JPEG_QUALITY);
      System.out.printf(
          "wrote %s: crop %d,%d,%d,%d (LR pixels), mode %s%n",
          output, region.x(), region.y(), region.width(), region.height(), mode.label());
    }
    return 0;
  }

  /**
   * {@code --crop x,y,w,h} in LR pixels, checked here so that a bad value is reported by its flag.
   *
   * @throws IllegalArgumentException naming {@code --crop}
   */
  static Comparison.Crop parseCrop(String s) {
    String[] parts = s.split(",", -1);
    int[] v = new int[4];
    boolean ok = parts.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      try {
        v[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("--crop must be x,y,w,h in LR pixels, got '" + s + "'");
    }
    if (v[0] < 0 || v[1] < 0 || v[2] < 1 || v[3] < 1) {
      throw new IllegalArgumentException("--crop needs x,y >= 0 and w,h >= 1, got '" + s + "'");
    }
    return new Comparison.Crop(v[0], v[1], v[2], v[3]);
  }
}
