package io.armsr.infer;

import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws which subnet each patch was routed to over the SR image: every patch's own cell (from its
 * origin to the next patch's origin) is tinted with its subnet's colour and outlined. Unlike the
 * release's {@code combine_addmask} (ARM.md 5.7), the full-width subnet has a colour too.
 *
 * <p>{@link #withLegend} appends a legend strip <em>below</em> the image (so it hides no pixel): a
 * colour swatch per subnet with its label ({@code bicubic}, {@code w16}, ...) and patch count.
 */
public final class RoutingMask {

  /** Colours by subnet: bicubic green, then yellow, orange and red as the width grows. */
  public static final int[][] COLOURS = {
    {0, 200, 0}, {255, 230, 0}, {255, 140, 0}, {230, 0, 0},
  };

  private static final float TINT = 0.4f;

  /** Legend geometry: padding around and between entries, swatch side, font size (pixels). */
  private static final int PAD = 6;

  private static final int SWATCH = 12;
  private static final int GAP = 14;
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

  /**
   * A legend laid out in a strip: entries left to right, wrapping to the next row when the strip is
   * full. Positions are relative to the strip's top-left corner.
   *
   * @param width the strip's width (at least the width asked for; wider if one entry needs it)
   * @param height the strip's height
   * @param labels per subnet, e.g. {@code "w36: 17"}
   * @param swatches per subnet, the filled square of its colour
   * @param baselines per subnet, the label's text origin
   */
  public record Legend(
      int width,
      int height,
      List<String> labels,
      List<Rectangle> swatches,
      List<java.awt.Point> baselines) {}

  private RoutingMask() {}

  /** Returns a copy of the result's image with the routing drawn over it. */
  public static Rgb8Image render(UpscaleResult result) {
    return render(result.image(), result);
  }

  /**
   * Returns a copy of {@code sr}, the SR image of {@code result}, with the routing drawn over it.
   */
  public static Rgb8Image render(Rgb8Image sr, RoutedPatches result) {
    PatchGrid grid = result.grid();
    int s = Backbone.SCALE;
    byte[] out = sr.pixels().clone();
    int w = sr.width();
    for (int p = 0; p < grid.size(); p++) {
      PatchGrid.Patch patch = grid.patch(p);
      int x0 = patch.x() * s;
      int y0 = patch.y() * s;
      int x1 = patch.col() + 1 < grid.cols() ? grid.xs()[patch.col() + 1] * s : sr.width();
      int y1 = patch.row() + 1 < grid.rows() ? grid.ys()[patch.row() + 1] * s : sr.height();
      int[] colour = COLOURS[result.subnets()[p]];
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          boolean edge = y == y0 || x == x0;
          for (int c = 0; c < 3; c++) {
            int i = (y * w + x) * 3 + c;
            float v = out[i] & 0xff;
            float mixed = edge ? colour[c] : (1 - TINT) * v + TINT * colour[c];
            out[i] = (byte) Math.round(mixed);
          }
        }
      }
    }
    return new Rgb8Image(sr.width(), sr.height(), out);
  }

  /**
   * The overlay of {@link #render} with a legend strip appended below it: the image keeps its
   * pixels and size on top; the result is {@code legend.height} pixels taller, and wider only if
   * the image is narrower than one legend entry (the extra area is white).
   */
  public static Rgb8Image withLegend(UpscaleResult result, Backbone backbone) {
    return withLegend(result.image(), result, backbone);
  }

  /** {@link #withLegend(UpscaleResult, Backbone)} for an SR image held apart from its routing. */
  public static Rgb8Image withLegend(Rgb8Image sr, RoutedPatches result, Backbone backbone) {
    Rgb8Image overlay = render(sr, result);
    Legend legend = legend(result.classes(), backbone, overlay.width());
    int w = Math.max(overlay.width(), legend.width());
    BufferedImage canvas =
        new BufferedImage(w, overlay.height() + legend.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
    g.drawImage(toBufferedImage(overlay), 0, 0, null);
    draw(g, legend, 0, overlay.height());
    g.dispose();
    return fromBufferedImage(canvas);
  }

  /**
   * Lays out the legend for these patch counts in a strip {@code width} pixels wide: one entry per
   * subnet, labelled {@code bicubic} or {@code w<width>} with its patch count.
   */
  public static Legend legend(int[] classes, Backbone backbone, int width) {
    BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scratch.createGraphics();
    FontMetrics fm = g.getFontMetrics(FONT);
    g.dispose();
    int rowHeight = Math.max(SWATCH, fm.getHeight());
    List<String> labels = new ArrayList<>();
    List<Rectangle> swatches = new ArrayList<>();
    List<java.awt.Point> baselines = new ArrayList<>();
    int x = PAD;
    int y = PAD;
    int widest = 0;
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      String label = (j == 0 ? "bicubic" : "w" + backbone.width(j)) + ": " + classes[j];
      int entry = SWATCH + 4 + fm.stringWidth(label);
      if (x > PAD && x + entry + PAD > width) {
        x = PAD;
        y += rowHeight + PAD / 2;
      }
      swatches.add(new Rectangle(x, y + (rowHeight - SWATCH) / 2, SWATCH, SWATCH));
      baselines.add(new java.awt.Point(x + SWATCH + 4, y + (rowHeight + fm.getAscent()) / 2 - 1));
      labels.add(label);
      x += entry + GAP;
      widest = Math.max(widest, x - GAP + PAD);
    }
    return new Legend(
        Math.max(width, widest),
        y + rowHeight + PAD,
        List.copyOf(labels),
        List.copyOf(swatches),
        List.copyOf(baselines));
  }

  /** Draws a legend with its top-left corner at (x, y); the strip's background is left as is. */
  public static void draw(Graphics2D g, Legend legend, int x, int y) {
    for (int j = 0; j < legend.labels().size(); j++) {
      Rectangle r = legend.swatches().get(j);
      int[] c = COLOURS[j];
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
      g.setColor(new Color(c[0], c[1], c[2]));
      g.fillRect(x + r.x, y + r.y, r.width, r.height);
      g.setColor(Color.DARK_GRAY);
      g.drawRect(x + r.x - 1, y + r.y - 1, r.width + 1, r.height + 1);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.BLACK);
      g.setFont(FONT);
      java.awt.Point p = legend.baselines().get(j);
      g.drawString(legend.labels().get(j), x + p.x, y + p.y);
    }
  }

  static BufferedImage toBufferedImage(Rgb8Image image) {
    int w = image.width();
    int h = image.height();
    int[] argb = new int[w * h];
    byte[] px = image.pixels();
    for (int i = 0; i < argb.length; i++) {
      argb[i] = (px[3 * i] & 0xff) << 16 | (px[3 * i + 1] & 0xff) << 8 | (px[3 * i + 2] & 0xff);
    }
    BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    bi.setRGB(0, 0, w, h, argb, 0, w);
    return bi;
  }

  static Rgb8Image fromBufferedImage(BufferedImage bi) {
    int w = bi.getWidth();
    int h = bi.getHeight();
    int[] argb = bi.getRGB(0, 0, w, h, null, 0, w);
    byte[] px = new byte[3 * w * h];
    for (int i = 0; i < argb.length; i++) {
      px[3 * i] = (byte) (argb[i] >> 16);
      px[3 * i + 1] = (byte) (argb[i] >> 8);
      px[3 * i + 2] = (byte) argb[i];
    }
    return new Rgb8Image(w, h, px);
  }
}
