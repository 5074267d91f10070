package io.armsr.eval;

import io.armsr.image.ImageMetrics;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.Grid;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.SrBenchmark;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * Evaluates an {@link Upscaler} over a {@link PairedDataset} for one or more routing modes, the way
 * the release's {@code main.py} tests (ARM.md 5.5): the HR is cropped to the area the patches
 * cover, then a 4-pixel border is cropped from both images.
 */
public final class Evaluator {

  /** Border cropped from every side before PSNR and SSIM (ARM.md 5.5). */
  public static final int BORDER = SrBenchmark.PSNR_BORDER;

  private final Upscaler upscaler;

  public Evaluator(Upscaler upscaler) {
    this.upscaler = upscaler;
  }

  /**
   * Evaluates every mode over the dataset; each (patch, subnet) output is computed once per image
   * however many modes use it. With fewer modes than {@link Upscaler#JOINT_IMAGES}, images are read
   * in groups of {@code JOINT_IMAGES / modes} and the small ones of each group ({@link
   * Upscaler#joinable}) share forward passes ({@link Upscaler#upscaleGroup}), as {@code upscale}
   * runs a folder; the others, and every image under more modes, are upscaled alone.
   *
   * @param progress called with each image's name after it is done, in order (may be a no-op)
   * @return one result per mode, in the order given
   * @throws IOException if an image cannot be read ({@link io.armsr.imagefile.ImageReadException})
   */
  public List<DatasetEval> evaluate(
      PairedDataset dataset, List<RoutingMode> modes, Consumer<String> progress)
      throws IOException {
    List<List<ImageEval>> perMode = new ArrayList<>();
    for (int m = 0; m < modes.size(); m++) {
      perMode.add(new ArrayList<>());
    }
    List<PairedDataset.Pair> pairs = dataset.pairs();
    // A group holds one canvas per image and mode: at most JOINT_IMAGES of them. (With the 22
    // modes of --plot, 8 images' canvases made eval 10-35% slower than one image at a time.)
    int groupSize = Math.max(1, Upscaler.JOINT_IMAGES / modes.size());
    for (int from = 0; from < pairs.size(); from += groupSize) {
      List<PairedDataset.Pair> group =
          pairs.subList(from, Math.min(pairs.size(), from + groupSize));
      Rgb8Image[] hrs = new Rgb8Image[group.size()];
      List<List<UpscaleResult>> results = new ArrayList<>(Collections.nCopies(group.size(), null));
      Upscaler.GroupSource<Rgb8Image> source =
          i -> {
            PairedDataset.Pair pair = group.get(i);
            Rgb8Image hr = ImageFiles.read(pair.hr());
            Rgb8Image lr = ImageFiles.read(pair.lr());
            checkSizes(pair, hr, lr);
            hrs[i] = hr;
            return Upscaler.GroupImage.of(lr);
          };
      if (group.size() == 1) {
        // A group of one (many modes): nothing to share batches with.
        results.set(0, upscaler.upscale(source.read(0).lr(), modes));
      } else {
        upscaler.upscaleGroup(
            group.size(),
            source,
            modes,
            new Upscaler.GroupListener<Rgb8Image>() {
              @Override
              public void alone(int i, Upscaler.GroupImage<Rgb8Image> image) {
                results.set(i, upscaler.upscale(image.lr(), modes));
              }

              @Override
              public void joined(
                  int i,
                  Upscaler.GroupImage<Rgb8Image> image,
                  List<UpscaleResult> r,
                  double seconds) {
                results.set(i, r);
              }

              @Override
              public void failed(int i, Exception error) throws IOException {
                if (error instanceof IOException io) {
                  throw io;
                }
                throw (RuntimeException) error;
              }
            });
      }
      for (int i = 0; i < group.size(); i++) {
        for (int m = 0; m < modes.size(); m++) {
          perMode.get(m).add(score(group.get(i).name(), results.get(i).get(m), hrs[i]));
        }
        progress.accept(group.get(i).name());
      }
    }
    double[] costs = upscaler.model().table().costs();
    List<DatasetEval> out = new ArrayList<>();
    for (int m = 0; m < modes.size(); m++) {
      out.add(
          new DatasetEval(
              upscaler.model().backbone().id(),
              dataset.name(),
              upscaler.options().grid().id(),
              modes.get(m).label(),
              costs,
              List.copyOf(perMode.get(m))));
    }
    return out;
  }

  private static void checkSizes(PairedDataset.Pair pair, Rgb8Image hr, Rgb8Image lr) {
    int s = Backbone.SCALE;
    if (hr.width() != s * lr.width() || hr.height() != s * lr.height()) {
      throw new IllegalArgumentException(
          "HR "
              + pair.hr().getFileName()
              + " is "
              + hr.width()
              + "x"
              + hr.height()
              + " but LR "
              + pair.lr().getFileName()
              + " is "
              + lr.width()
              + "x"
              + lr.height()
              + "; HR must be exactly 4x the LR");
    }
  }

  /** Scores one upscaled image against its HR. */
  public static ImageEval score(String name, UpscaleResult result, Rgb8Image hr) {
    PatchGrid grid = result.grid();
    int s = Backbone.SCALE;
    Rgb8Image gt = hr.crop(0, 0, grid.coveredWidth() * s, grid.coveredHeight() * s);
    Rgb8Image sr = result.image();
    return new ImageEval(
        name,
        ImageMetrics.psnr(result.canvas(), gt, BORDER),
        ImageMetrics.psnrY(sr, gt, BORDER),
        ImageMetrics.ssimY(sr, gt, BORDER),
        result.meanFlops(),
        result.classes(),
        grid.size(),
        psnrOnReferenceArea(result, hr));
  }

  /** RGB PSNR over the area the official grid covers, from any grid's canvas. */
  static double psnrOnReferenceArea(UpscaleResult result, Rgb8Image hr) {
    PatchGrid grid = result.grid();
    if (grid.imageWidth() < Grid.PATCH || grid.imageHeight() < Grid.PATCH) {
      return Double.NaN;
    }
    PatchGrid reference = PatchGrid.reference(grid.imageWidth(), grid.imageHeight());
    int s = Backbone.SCALE;
    int w = reference.coveredWidth() * s;
    int h = reference.coveredHeight() * s;
    PlanarImage canvas = result.canvas();
    float[] cropped = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(
            canvas.data(), (c * canvas.height() + y) * canvas.width(), cropped, (c * h + y) * w, w);
      }
    }
    return ImageMetrics.psnr(new PlanarImage(3, h, w, cropped), hr.crop(0, 0, w, h), BORDER);
  }

  /** {@code sum_j cost_j n_j / sum_j n_j} (ARM.md 3.3). */
  static double meanFlops(int[] classes, double[] costs) {
    double total = 0;
    long n = 0;
    for (int j = 0; j < classes.length; j++) {
      total += costs[j] * classes[j];
      n += classes[j];
    }
    return total / n;
  }
}
