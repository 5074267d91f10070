package io.armsr.chart;

import io.armsr.imagefile.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Plots the CSV logs that {@code armsr train} writes ({@code iteration,loss,lr,...,psnr_w<W>...}):
 * the training loss (log scale) and the validation PSNR of every width against the iteration, one
 * colour per run, one dash per width. Rendered with JFreeChart to a PNG.
 */
public final class TrainingCurves {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 900;

  /** One run's log: its label and the rows of the CSV. */
  record Log(String label, List<String> columns, List<double[]> rows) {}

  private TrainingCurves() {}

  /** Reads a training CSV log. */
  static Log read(Path csv) throws IOException {
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !lines.get(0).startsWith("iteration,")) {
      throw new IllegalArgumentException(csv + ": not a training log (no 'iteration,...' header)");
    }
    List<String> columns = Arrays.asList(lines.get(0).split(","));
    List<double[]> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",");
      double[] row = new double[columns.size()];
      for (int i = 0; i < row.length; i++) {
        row[i] =
            i < cells.length && !cells[i].isEmpty() ? Double.parseDouble(cells[i]) : Double.NaN;
      }
      rows.add(row);
    }
    String name = csv.getFileName().toString().replaceAll("\\.armw\\.csv$|\\.csv$", "");
    return new Log(name, columns, rows);
  }

  /** Renders the logs to {@code png} (written atomically). */
  public static void render(List<Path> csvFiles, Path png) throws IOException {
    List<Log> logs = new ArrayList<>();
    for (Path p : csvFiles) {
      logs.add(read(p));
    }
    JFreeChart loss = chart(logs, "loss", "training L1 loss (mean over the logging interval)");
    LogAxis lossAxis = new LogAxis("L1 loss");
    // Up to five decimals: a late run's loss moves within 0.001, which three decimals would label
    // with one repeated value.
    lossAxis.setNumberFormatOverride(new java.text.DecimalFormat("0.000##"));
    ((XYPlot) loss.getPlot()).setRangeAxis(lossAxis);
    JFreeChart psnr = chart(logs, "psnr_", "validation PSNR (dB) by width");
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    loss.draw(g, new java.awt.geom.Rectangle2D.Double(0, 0, WIDTH, HEIGHT / 2.0));
    psnr.draw(g, new java.awt.geom.Rectangle2D.Double(0, HEIGHT / 2.0, WIDTH, HEIGHT / 2.0));
    g.dispose();
    AtomicFiles.write(png, out -> ImageIO.write(image, "png", out));
  }

  private static JFreeChart chart(List<Log> logs, String columnPrefix, String title) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<int[]> styles = new ArrayList<>(); // {run, column index among the matching columns}
    java.util.Set<String> labels = new java.util.HashSet<>();
    for (int r = 0; r < logs.size(); r++) {
      Log log = logs.get(r);
      // Two logs may share a file name (runs in different folders): keep the series apart.
      String label = labels.add(log.label()) ? log.label() : log.label() + " (" + (r + 1) + ")";
      int k = 0;
      for (int c = 0; c < log.columns().size(); c++) {
        String col = log.columns().get(c);
        if (!col.startsWith(columnPrefix)) {
          continue;
        }
        XYSeries s = new XYSeries(label + " " + col, false);
        for (double[] row : log.rows()) {
          if (Double.isFinite(row[c]) && row[c] > 0) {
            s.add(row[0], row[c]);
          }
        }
        data.addSeries(s);
        styles.add(new int[] {r, k++});
      }
    }
    JFreeChart chart =
        Charts.xy(title, "iteration", columnPrefix.equals("loss") ? "L1 loss" : "PSNR (dB)", data);
    XYPlot plot = (XYPlot) chart.getPlot();
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    Color[] colours = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)
    };
    float[][] dashes = {null, {8f, 4f}, {2f, 3f}, {12f, 3f, 2f, 3f}};
    for (int i = 0; i < styles.size(); i++) {
      int[] st = styles.get(i);
      renderer.setSeriesPaint(i, colours[st[0] % colours.length]);
      float[] dash = dashes[st[1] % dashes.length];
      renderer.setSeriesStroke(
          i,
          dash == null
              ? new BasicStroke(2f)
              : new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
    }
    plot.setRenderer(renderer);
    ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
    return chart;
  }
}
