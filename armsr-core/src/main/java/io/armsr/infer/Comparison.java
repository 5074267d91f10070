package io.armsr.infer;

import io.armsr.image.EdgeScore;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A side-by-side view of one region: bicubic x4 | ARM | the routing mask, each panel at the output
 * scale (4 SR pixels per LR pixel) with a title above, and the routing legend (patch counts of the
 * whole image) below.
 */
public final class Comparison {

  /** Space around and between the panels, and the height of the title row (pixels). */
  public static final int GAP = 8;

  public static final int HEADER = 22;

  /** Side of the default crop, in LR pixels: 64 LR = 256 output pixels per panel. */
  public static final int DEFAULT_CROP = 64;

  private static final Font FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);

  private Comparison() {}

  /** A region of the LR image, in LR pixels. */
  public record Crop(int x, int y, int width, int height) {
    public Crop {
      if (x < 0 || y < 0 || width < 1 || height < 1) {
        throw new IllegalArgumentException(
            "a crop needs x,y >= 0 and w,h >= 1, got " + x + "," + y + "," + width + "," + height);
      }
    }

    /** Parses {@code x,y,w,h}. */
    public static Crop parse(String s) {
      String[] parts = s.split(",");
      if (parts.length != 4) {
        throw new IllegalArgumentException("a crop must be x,y,w,h in LR pixels, got '" + s + "'");
      }
      int[] v = new int[4];
      try {
        for (int i = 0; i < 4; i++) {
          v[i] = Integer.parseInt(parts[i].strip());
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("a crop must be x,y,w,h in LR pixels, got '" + s + "'");
      }
      return new Crop(v[0], v[1], v[2], v[3]);
    }

    /**
     * @throws IllegalArgumentException if the crop is not inside a w x h area
     */
    void requireInside(int w, int h) {
      if (x + width > w || y + height > h) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "the crop %d,%d,%d,%d is not inside the %dx%d area the output covers",
                x,
                y,
                width,
                height,
                w,
                h));
      }
    }
  }

  /**
   * The {@code size x size} region (smaller if the image is) with the highest edge score (ARM.md
   * 4.1): where the sub-networks differ most. Candidates lie on a grid of step {@code size / 4}
   * plus the positions flush with the right and bottom borders; ties go to the first (top-left).
   */
  public static Crop mostDetailed(Rgb8Image lr, int size) {
    int w = Math.min(size, lr.width());
    int h = Math.min(size, lr.height());
    int step = Math.max(1, size / 4);
    Crop best = new Crop(0, 0, w, h);
    double bestScore = -1;
    for (int y : positions(lr.height() - h, step)) {
      for (int x : positions(lr.width() - w, step)) {
        double s = EdgeScore.of(lr, x, y, w, h);
        if (s > bestScore) {
          bestScore = s;
          best = new Crop(x, y, w, h);
        }
      }
    }
    return best;
  }

  private static List<Integer> positions(int last, int step) {
    List<Integer> out = new java.util.ArrayList<>();
    for (int p = 0; p < last; p += step) {
      out.add(p);
    }
    out.add(last);
    return out;
  }

  /** Left edge of panel {@code i} (0 bicubic, 1 ARM, 2 mask) for a crop {@code crop}. */
  public static int panelX(int i, Crop crop) {
    return GAP + i * (Backbone.SCALE * crop.width() + GAP);
  }

  /** Top edge of every panel. */
  public static int panelY() {
    return HEADER;
  }

  /**
   * Renders the comparison.
   *
   * @param bicubic the image upscaled with subnet 0 everywhere
   * @param arm the same image upscaled with the routing to show
   * @param backbone names the widths in the legend
   * @throws IllegalArgumentException if the crop is not inside the area both results cover
   */
  public static Rgb8Image render(
      UpscaleResult bicubic, UpscaleResult arm, Backbone backbone, Crop crop) {
    int s = Backbone.SCALE;
    Rgb8Image left = bicubic.image();
    Rgb8Image middle = arm.image();
    crop.requireInside(
        Math.min(left.width(), middle.width()) / s, Math.min(left.height(), middle.height()) / s);
    int x = crop.x() * s;
    int y = crop.y() * s;
    int pw = crop.width() * s;
    int ph = crop.height() * s;
    Rgb8Image[] panels = {
      left.crop(x, y, pw, ph), middle.crop(x, y, pw, ph), RoutingMask.render(arm).crop(x, y, pw, ph)
    };
    double full = arm.costs()[arm.costs().length - 1];
    String[] titles = {
      "bicubic x4",
      String.format(
          Locale.ROOT,
          "armsr %s (%.0f%% FLOPs)",
          arm.mode().label(),
          full > 0 ? 100 * arm.meanFlops() / full : 0),
      "routing"
    };
    int width = panelX(3, crop);
    RoutingMask.Legend legend = RoutingMask.legend(arm.classes(), backbone, width);
    BufferedImage canvas =
        new BufferedImage(
            legend.width(), HEADER + ph + GAP / 2 + legend.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = canvas.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, canvas.getWidth(), canvas.getHeight());
    g.setRenderingHint(
        RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setFont(FONT);
    for (int i = 0; i < 3; i++) {
      g.drawImage(RoutingMask.toBufferedImage(panels[i]), panelX(i, crop), panelY(), null);
      g.setColor(Color.BLACK);
      // Clip the title to its panel: a narrow crop must not write over its neighbour.
      Graphics2D t = (Graphics2D) g.create(panelX(i, crop), 0, Math.max(pw, 1), HEADER);
      t.drawString(titles[i], 0, HEADER - 7);
      t.dispose();
    }
    RoutingMask.draw(g, legend, 0, HEADER + ph + GAP / 2);
    g.dispose();
    return RoutingMask.fromBufferedImage(canvas);
  }
}
