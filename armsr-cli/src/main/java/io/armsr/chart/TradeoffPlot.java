package io.armsr.chart;

import io.armsr.eval.DatasetEval;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The quality-for-compute picture of a model on a dataset: mean PSNR against mean FLOPs per patch
 * for the fixed widths (bicubic and each sub-network, as points) and for ARM's trade-off over a
 * sweep of K (a line), in the spirit of the paper's Fig. 5. Further series (e.g. budgets) are one
 * {@link #add} each. Rendered with JFreeChart to a PNG.
 */
public final class TradeoffPlot {

  /** The K values of the sweep: from mostly bicubic to mostly full width. */
  public static final List<Double> K_SWEEP = List.of(0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 8.0);

  /** The budgets of the budget sweep (fractions of full-width cost). */
  public static final List<Double> BUDGETS =
      List.of(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0);

  public static final int WIDTH = 900;
  public static final int HEIGHT = 600;

  /** One point: mean FLOPs per patch (paper convention), mean RGB PSNR (dB) and its label. */
  public record Point(String label, double flops, double psnr) {}

  /** A named series, drawn as a line through its points or as separate points. */
  public record Series(String name, boolean line, List<Point> points) {
    public Series {
      Objects.requireNonNull(name, "name");
      points = List.copyOf(points);
    }
  }

  private final String title;
  private final List<Series> series = new ArrayList<>();

  public TradeoffPlot(String title) {
    this.title = Objects.requireNonNull(title, "title");
  }

  /** The modes a plot needs: fixed subnets 0..3, the K sweep, then the budget sweep. */
  public static List<RoutingMode> modes() {
    List<RoutingMode> out = new ArrayList<>();
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      out.add(new RoutingMode.Fixed(j));
    }
    K_SWEEP.forEach(k -> out.add(new RoutingMode.Tradeoff(k)));
    BUDGETS.forEach(f -> out.add(new RoutingMode.Budget(f)));
    return out;
  }

  /**
   * The standard plot from the evaluations of {@link #modes()} (found by label in {@code evals},
   * which may hold other modes too): fixed widths as labelled points, the K sweep as a line.
   */
  public static TradeoffPlot standard(List<DatasetEval> evals) {
    DatasetEval first = evals.get(0);
    Backbone b = Backbone.parse(first.backbone());
    TradeoffPlot plot =
        new TradeoffPlot(
            first.backbone() + " on " + first.dataset() + " (" + first.grid() + " grid)");
    List<DatasetEval> fixed = new ArrayList<>();
    List<DatasetEval> sweep = new ArrayList<>();
    List<DatasetEval> budgets = new ArrayList<>();
    for (RoutingMode m : modes()) {
      DatasetEval e = find(evals, m.label());
      if (m instanceof RoutingMode.Fixed) {
        fixed.add(e);
      } else if (m instanceof RoutingMode.Budget) {
        budgets.add(e);
      } else {
        sweep.add(e);
      }
    }
    plot.add(
        series(
            "fixed width",
            false,
            fixed,
            e -> {
              int j = ((RoutingMode.Fixed) modeOf(e)).subnet();
              return j == 0 ? "bicubic" : "w" + b.width(j);
            }));
    plot.add(series("ARM, K sweep", true, sweep, e -> "K=" + e.mode().substring(1)));
    plot.add(series("budget (knapsack)", true, budgets, e -> ""));
    return plot;
  }

  private static RoutingMode modeOf(DatasetEval e) {
    return modes().stream().filter(m -> m.label().equals(e.mode())).findFirst().orElseThrow();
  }

  private static DatasetEval find(List<DatasetEval> evals, String label) {
    return evals.stream()
        .filter(e -> e.mode().equals(label))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no evaluation of mode " + label));
  }

  /** A series of one point per evaluation, in the order given. */
  public static Series series(
      String name, boolean line, List<DatasetEval> evals, Function<DatasetEval, String> label) {
    List<Point> points = new ArrayList<>();
    for (DatasetEval e : evals) {
      points.add(new Point(label.apply(e), e.meanFlops(), e.meanPsnr()));
    }
    return new Series(name, line, points);
  }

  /** Adds a series (drawn after, i.e. over, the earlier ones). */
  public TradeoffPlot add(Series s) {
    series.add(Objects.requireNonNull(s, "series"));
    return this;
  }

  public List<Series> series() {
    return List.copyOf(series);
  }

  /**
   * The labels of a series as drawn: points at the same coordinates (several K that route every
   * patch alike) share one label, {@code "K=1, K=1.5"}, on the first of them.
   */
  static List<String> mergedLabels(Series s) {
    List<String> out = new ArrayList<>();
    List<Point> pts = s.points();
    // Points closer than 2% of the series' extent on both axes would print their labels over each
    // other: the first of them carries all the labels.
    double dx = 0.02 * extent(pts, Point::flops);
    double dy = 0.02 * extent(pts, Point::psnr);
    for (int i = 0; i < pts.size(); i++) {
      int first = i;
      for (int j = 0; j < i; j++) {
        if (!out.get(j).isEmpty()
            && Math.abs(pts.get(j).flops() - pts.get(i).flops()) <= dx
            && Math.abs(pts.get(j).psnr() - pts.get(i).psnr()) <= dy) {
          first = j;
          break;
        }
      }
      if (first == i) {
        out.add(pts.get(i).label());
      } else {
        out.set(first, out.get(first) + ", " + pts.get(i).label());
        out.add("");
      }
    }
    return out;
  }

  private static double extent(List<Point> pts, java.util.function.ToDoubleFunction<Point> f) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (Point p : pts) {
      lo = Math.min(lo, f.applyAsDouble(p));
      hi = Math.max(hi, f.applyAsDouble(p));
    }
    return pts.isEmpty() ? 0 : hi - lo;
  }

  /** Renders the plot, {@link #WIDTH} x {@link #HEIGHT}, to {@code png} (written atomically). */
  public void render(Path png) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true);
      for (Point p : s.points()) {
        xy.add(p.flops() / 1e6, p.psnr());
      }
      data.addSeries(xy);
    }
    JFreeChart chart =
        Charts.xy(
            title, "mean MFLOPs per 32x32 patch (paper convention)", "mean PSNR (dB, RGB)", data);
    XYPlot plot = (XYPlot) chart.getPlot();
    // Room for the labels of the extreme points (bicubic sits at 0 FLOPs, at the lowest PSNR).
    for (NumberAxis axis :
        List.of((NumberAxis) plot.getDomainAxis(), (NumberAxis) plot.getRangeAxis())) {
      axis.setAutoRangeIncludesZero(false);
      axis.setAutoRangeStickyZero(false);
      axis.setLowerMargin(0.08);
      axis.setUpperMargin(0.06);
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
    Color[] colours = {
      new Color(0x333333), new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c)
    };
    for (int i = 0; i < series.size(); i++) {
      renderer.setSeriesPaint(i, colours[i % colours.length]);
      renderer.setSeriesLinesVisible(i, series.get(i).line());
      renderer.setSeriesShapesVisible(i, true);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    List<List<String>> labels = series.stream().map(TradeoffPlot::mergedLabels).toList();
    renderer.setDefaultItemLabelGenerator((dataset, s, item) -> labels.get(s).get(item));
    for (int i = 0; i < series.size(); i++) {
      // Points (fixed widths) labelled below, lines (sweeps) above: a sweep often passes through
      // a fixed width (all patches to one subnet), and the two labels must not overprint.
      renderer.setSeriesPositiveItemLabelPosition(
          i,
          series.get(i).line()
              ? new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER)
              : new ItemLabelPosition(ItemLabelAnchor.OUTSIDE6, TextAnchor.TOP_CENTER));
    }
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    plot.setRenderer(renderer);
    BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
    AtomicFiles.write(png, out -> ImageIO.write(image, "png", out));
  }
}
