package io.armsr.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the engine groups the patches of an image into forward passes: the one description that both
 * the engine's run loops ({@code BatchRunner}, {@code Upscaler}) and the time model of {@code
 * --budget-ms} ({@link TimeModel}) use. The time model counts the batches of every patch on its own
 * window ({@link Windows#NONE}); the engine's shared windows run fewer, larger passes, which the
 * model's calibration (on the engine as it runs) and its latency feedback absorb.
 *
 * <p>The patches, in row-major order, are cut into consecutive groups of {@code groupSize}; within
 * a group each subnet in turn (bicubic first) runs the group's patches routed to it, in index
 * order, in chunks of at most {@code batchSize}. The whole-image path is one group; the streaming
 * path is one group per band of grid rows (it must finish a band's patches before it can hand rows
 * on).
 *
 * <p><b>Windows.</b> In the full grid every patch runs on its 32x32 pixels plus a context margin on
 * each side: 40x40 LR pixels for a margin of 4, about twice the 28x28 pixels of output each patch
 * adds. Neighbouring patches routed to the same subnet need no margin between them, so with {@link
 * Windows} they run as one larger window: a rectangle of up to {@code rows x cols} patches (their
 * union, plus one margin around it), whose SR output is cut back into the patches' own SR patches.
 * The routing and the stitching do not change; the image is, if anything, better, since the patches
 * inside a window see all their real context. Windows are formed from a routing alone ({@link
 * Windows#of}), in bands of {@code rows} grid rows, so every path (whole image, streamed,
 * progressive) and every batch size, worker count or group of images runs the same windows and
 * makes the same image.
 *
 * @param groupSize patches per group ({@link Integer#MAX_VALUE}: the whole image is one group); a
 *     whole number of window bands when the plan has windows
 * @param batchSize largest number of patches per forward pass (a window larger than that runs
 *     alone)
 * @param windows how neighbouring patches share a forward pass window ({@link Windows#NONE}: each
 *     patch alone, as the release runs them)
 */
public record Batching(int groupSize, int batchSize, Windows windows) {

  /** Each patch on its own window. */
  public Batching(int groupSize, int batchSize) {
    this(groupSize, batchSize, Windows.NONE);
  }

  /**
   * The largest rectangles of neighbouring patches that run as one window: at most {@code rows}
   * grid rows (and within one band of {@code rows} rows: rows {@code 0 .. rows - 1}, then the next
   * {@code rows}, ...) and {@code cols} grid columns.
   */
  public record Windows(int rows, int cols) {
    /** Every patch on its own window: the release's way, the reference grid. */
    public static final Windows NONE = new Windows(1, 1);

    /**
     * The largest windows the engine uses: 4 x 8 patches, at most 132 x 236 LR pixels with a margin
     * of 4 (about 20 of the 40x40 single-patch windows, as much memory as a batch of 20).
     */
    public static final Windows DEFAULT = new Windows(4, 8);

    /** Window shapes from the largest down, each twice as wide as high (in patches). */
    private static final List<Windows> SHAPES =
        List.of(DEFAULT, new Windows(3, 6), new Windows(2, 4), new Windows(1, 2), NONE);

    /**
     * The largest of 4x8, 3x6, 2x4, 1x2 and 1x1 with at most {@code patches} patches: windows whose
     * activations take no more memory than a forward pass of that many patches alone.
     */
    public static Windows within(int patches) {
      for (Windows w : SHAPES) {
        if (w.rows() * w.cols() <= patches) {
          return w;
        }
      }
      return NONE;
    }

    /** The largest side, in patches. */
    public static final int MAX = 64;

    /** System property that overrides {@link #DEFAULT}, as {@code ROWSxCOLS} (for measuring). */
    public static final String PROPERTY = "armsr.windows";

    public Windows {
      if (rows < 1 || cols < 1 || rows > MAX || cols > MAX) {
        throw new IllegalArgumentException(
            "windows are 1.." + MAX + " patches a side, got " + rows + "x" + cols);
      }
    }

    /** {@code ROWSxCOLS}, e.g. {@code 4x8}; {@code 1x1} is {@link #NONE}. */
    public static Windows parse(String text) {
      String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split("x", -1);
      try {
        if (parts.length == 2) {
          return new Windows(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(
          "windows are ROWSxCOLS patches, e.g. 4x8 (1x1: none), got '" + text + "'");
    }

    /** {@code fallback}, or what the system property {@value #PROPERTY} says. */
    public static Windows configured(Windows fallback) {
      String text = System.getProperty(PROPERTY);
      return text == null ? fallback : parse(text);
    }

    /** {@code ROWSxCOLS}, as {@link #parse} reads it. */
    public String id() {
      return rows + "x" + cols;
    }

    /** Whether patches share windows at all. */
    public boolean shares() {
      return rows * cols > 1;
    }

    /**
     * The windows of the patches that {@code routing} sends to {@code subnet}, over a grid of
     * {@code cols} columns, in the order of their first patch: row-major, each patch not yet in a
     * window starts one, which grows right while the next patch has the same subnet (up to {@link
     * #cols()}), then down while the whole next row segment does, within the patch's band of {@link
     * #rows()} grid rows.
     */
    public List<Window> of(int[] routing, int subnet, int gridCols) {
      if (gridCols < 1 || routing.length % gridCols != 0) {
        throw new IllegalArgumentException(
            routing.length + " patches do not make rows of " + gridCols);
      }
      int gridRows = routing.length / gridCols;
      boolean[] taken = new boolean[routing.length];
      List<Window> out = new ArrayList<>();
      for (int r = 0; r < gridRows; r++) {
        int bandEnd = Math.min(gridRows, (r / rows + 1) * rows);
        for (int c = 0; c < gridCols; c++) {
          int p = r * gridCols + c;
          if (routing[p] != subnet || taken[p]) {
            continue;
          }
          int w = 1;
          while (w < cols && c + w < gridCols && free(routing, taken, subnet, p + w)) {
            w++;
          }
          int h = 1;
          while (h < rows
              && r + h < bandEnd
              && segmentFree(routing, taken, subnet, p + h * gridCols, w)) {
            h++;
          }
          for (int i = 0; i < h; i++) {
            java.util.Arrays.fill(taken, p + i * gridCols, p + i * gridCols + w, true);
          }
          out.add(h * w == 1 ? Window.single(p) : new Window(p, h, w, gridCols));
        }
      }
      return out;
    }

    private static boolean free(int[] routing, boolean[] taken, int subnet, int p) {
      return routing[p] == subnet && !taken[p];
    }

    private static boolean segmentFree(
        int[] routing, boolean[] taken, int subnet, int from, int width) {
      for (int p = from; p < from + width; p++) {
        if (!free(routing, taken, subnet, p)) {
          return false;
        }
      }
      return true;
    }

    /** For every patch, the window of its own subnet that holds it in {@code routing}. */
    public Window[] windowOf(int[] routing, int gridCols) {
      Window[] out = new Window[routing.length];
      int subnets = 0;
      for (int j : routing) {
        subnets = Math.max(subnets, j + 1);
      }
      for (int s = 0; s < subnets; s++) {
        for (Window w : of(routing, s, gridCols)) {
          for (int k = 0; k < w.size(); k++) {
            out[w.patch(k)] = w;
          }
        }
      }
      return out;
    }
  }

  /**
   * A rectangle of patches of one image that runs as one window.
   *
   * @param first its top-left patch (row-major index)
   * @param rows its height in grid rows
   * @param cols its width in grid columns
   * @param stride the grid's columns
   */
  public record Window(int first, int rows, int cols, int stride) {
    public Window {
      if (first < 0 || rows < 1 || cols < 1 || stride < cols) {
        throw new IllegalArgumentException(
            "not a window: first " + first + ", " + rows + "x" + cols + " of " + stride);
      }
    }

    /**
     * One patch on its own, whatever the grid (its {@link #row()} and {@link #col()} are not the
     * grid's; its {@link #first()} is the patch).
     */
    public static Window single(int patch) {
      return new Window(patch, 1, 1, 1);
    }

    public int size() {
      return rows * cols;
    }

    /** Patch {@code k} of the window, row-major. */
    public int patch(int k) {
      return first + (k / cols) * stride + k % cols;
    }

    /** The window's top grid row. */
    public int row() {
      return first / stride;
    }

    /** The window's left grid column. */
    public int col() {
      return first % stride;
    }
  }

  /** The engine's two ways through an image. */
  public enum Path {
    /** {@code Upscaler.upscale}: one group, the whole image ({@code eval}, {@code compare}). */
    WHOLE("whole"),
    /** {@code Upscaler.upscaleStreaming}: one group per grid row (the CLI's {@code upscale}). */
    STREAMING("streaming");

    private final String id;

    Path(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Path parse(String id) {
      for (Path p : values()) {
        if (p.id.equals(id)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown path '" + id + "' (whole, streaming)");
    }
  }

  /**
   * One forward pass.
   *
   * @param group the group it belongs to (the band of grid rows in the streaming path, 0 otherwise)
   * @param subnet the subnet it runs
   * @param images the image of each patch (all 0 for a one-image plan)
   * @param patches the patch indices within their images: window after window, each window's
   *     patches row-major
   * @param windows the windows, all of one size in pixels, whose patches {@code patches} lists in
   *     order
   */
  public record Batch(
      int group, int subnet, List<Integer> images, List<Integer> patches, List<Window> windows) {
    public Batch {
      images = List.copyOf(images);
      patches = List.copyOf(patches);
      windows = List.copyOf(windows);
      if (images.size() != patches.size()) {
        throw new IllegalArgumentException(
            images.size() + " image indices for " + patches.size() + " patches");
      }
      int k = 0;
      for (Window w : windows) {
        for (int i = 0; i < w.size(); i++, k++) {
          if (k >= patches.size() || patches.get(k) != w.patch(i)) {
            throw new IllegalArgumentException("the patches are not those of the windows");
          }
        }
      }
      if (k != patches.size()) {
        throw new IllegalArgumentException("the patches are not those of the windows");
      }
    }

    /** A batch of patches each on its own window. */
    public Batch(int group, int subnet, List<Integer> images, List<Integer> patches) {
      this(group, subnet, images, patches, patches.stream().map(Window::single).toList());
    }

    /** A batch of one image's patches, each on its own window. */
    public Batch(int group, int subnet, List<Integer> patches) {
      this(group, subnet, java.util.Collections.nCopies(patches.size(), 0), patches);
    }

    public int size() {
      return patches.size();
    }
  }

  /**
   * One image of a plan: its routings and the size of its patches, since only patches of one size
   * can share a forward pass, and, for windows, where its patches lie.
   *
   * @param choices {@code [routing][patch]} subnet; every routing covers all of the image's patches
   * @param patchHeight its grid's patch height in LR pixels
   * @param patchWidth its grid's patch width in LR pixels
   * @param xs the grid's patch origins along x, or null: then every patch runs on its own window
   * @param ys the grid's patch origins along y (null with {@code xs})
   */
  public record ImageRoutings(
      int[][] choices, int patchHeight, int patchWidth, int[] xs, int[] ys) {
    public ImageRoutings {
      Objects.requireNonNull(choices, "choices");
      if (choices.length == 0) {
        throw new IllegalArgumentException("an image to plan needs at least one routing");
      }
      if ((xs == null) != (ys == null)
          || (xs != null && xs.length * ys.length != choices[0].length)) {
        throw new IllegalArgumentException("the patch origins do not match the routing");
      }
    }

    /** An image whose patches all run on windows of their own. */
    public ImageRoutings(int[][] choices, int patchHeight, int patchWidth) {
      this(choices, patchHeight, patchWidth, null, null);
    }

    int patches() {
      return choices[0].length;
    }

    /**
     * The windows of {@code subnet} for any routing, each once, in the order of their first patch.
     */
    List<Window> windows(int subnet, Windows shape) {
      List<Window> out = new ArrayList<>();
      if (xs == null || !shape.shares()) {
        for (int p = 0; p < patches(); p++) {
          for (int[] c : choices) {
            if (c[p] == subnet) {
              out.add(Window.single(p));
              break;
            }
          }
        }
        return out;
      }
      java.util.TreeSet<Window> all =
          new java.util.TreeSet<>(
              java.util.Comparator.comparingInt(Window::first)
                  .thenComparingInt(Window::rows)
                  .thenComparingInt(Window::cols));
      for (int[] c : choices) {
        all.addAll(shape.of(c, subnet, xs.length));
      }
      out.addAll(all);
      return out;
    }

    /** A window's size in LR pixels, (height, width). */
    List<Integer> pixels(Window w) {
      if (xs == null || w.size() == 1) {
        return List.of(patchHeight, patchWidth);
      }
      int top = ys[w.row()];
      int left = xs[w.col()];
      return List.of(
          ys[w.row() + w.rows() - 1] + patchHeight - top,
          xs[w.col() + w.cols() - 1] + patchWidth - left);
    }
  }

  public Batching {
    Objects.requireNonNull(windows, "windows");
    if (groupSize < 1 || batchSize < 1) {
      throw new IllegalArgumentException(
          "group and batch sizes must be positive, got " + groupSize + " and " + batchSize);
    }
  }

  /** The batching of {@code path} over a grid of {@code cols} columns, each patch alone. */
  public static Batching of(Path path, int cols, int batchSize) {
    return of(path, cols, batchSize, Windows.NONE);
  }

  /**
   * The batching of {@code path} over a grid of {@code cols} columns with {@code windows}: the
   * streaming path's groups are bands of {@code windows.rows()} grid rows.
   */
  public static Batching of(Path path, int cols, int batchSize, Windows windows) {
    long band = (long) cols * windows.rows();
    return new Batching(
        path == Path.WHOLE ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, band),
        batchSize,
        windows);
  }

  /**
   * The forward passes, in the order the engine runs them, for one or more routings of the same
   * patches: a patch is in the batches of every subnet that any routing chose for it (the whole
   * image path computes each needed (patch, subnet) pair once for all modes).
   *
   * @param patches number of patches
   * @param choices {@code [routing][patch]} subnet
   */
  public List<Batch> plan(int patches, int[][] choices) {
    Objects.requireNonNull(choices, "choices");
    for (int[] c : choices) {
      if (c.length != patches) {
        throw new IllegalArgumentException(
            "a routing of " + c.length + " patches for " + patches + " patches");
      }
    }
    if (patches == 0) {
      return List.of();
    }
    return plan(List.of(new ImageRoutings(choices, 1, 1)));
  }

  /**
   * The one batch planner of the engine: the forward passes of one or more images, in the order
   * they run. The patches are cut into groups of {@code groupSize} (per image; several images are
   * planned on the whole-image path only, as one group); within a group each subnet in turn
   * (bicubic first), and within a subnet each patch size in the order the images first have it,
   * runs the patches that any routing of their image sent there, image by image and in index order,
   * in chunks of at most {@code batchSize}, so one batch may hold patches of several images
   * (folders of small images share their forward passes). For one image this is {@link #plan(int,
   * int[][])}, so the time model counts the batches that run.
   */
  public List<Batch> plan(List<ImageRoutings> images) {
    if (images.size() > 1 && groupSize != Integer.MAX_VALUE) {
      throw new IllegalArgumentException("several images are planned as one group only");
    }
    int subnets = 0;
    int longest = 0;
    for (ImageRoutings image : images) {
      for (int[] c : image.choices()) {
        if (c.length != image.patches()) {
          throw new IllegalArgumentException("the routings of an image differ in length");
        }
        for (int j : c) {
          subnets = Math.max(subnets, j + 1);
        }
      }
      longest = Math.max(longest, image.patches());
    }
    // Every image's windows of every subnet, formed once over the whole image (they do not depend
    // on the groups), in the order of their first patch.
    List<List<List<Window>>> imageWindows = new ArrayList<>(images.size());
    for (ImageRoutings image : images) {
      List<List<Window>> perSubnet = new ArrayList<>(subnets);
      for (int subnet = 0; subnet < subnets; subnet++) {
        perSubnet.add(image.windows(subnet, windows));
      }
      imageWindows.add(perSubnet);
    }
    List<Batch> out = new ArrayList<>();
    for (int start = 0, group = 0; start < longest; group++) {
      int end = start + Math.min(longest - start, groupSize);
      for (int subnet = 0; subnet < subnets; subnet++) {
        // Window size in pixels (height, width) to the (image, window) pairs of that size, in
        // order.
        Map<List<Integer>, List<Placed>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
          ImageRoutings image = images.get(i);
          if (image.xs() == null) {
            bySize.computeIfAbsent(image.pixels(null), k -> new ArrayList<>());
          }
          for (Window w : imageWindows.get(i).get(subnet)) {
            if (w.first() >= start && w.first() < end) {
              bySize.computeIfAbsent(image.pixels(w), k -> new ArrayList<>()).add(new Placed(i, w));
            }
          }
        }
        for (List<Placed> placed : bySize.values()) {
          int from = 0;
          while (from < placed.size()) {
            // Windows of one pixel size have one patch count: as many as fit in a batch, or one.
            int per = Math.max(1, batchSize / placed.get(from).window().size());
            int to = Math.min(placed.size(), from + per);
            List<Integer> imageOf = new ArrayList<>();
            List<Integer> patchOf = new ArrayList<>();
            List<Window> windowsOf = new ArrayList<>(to - from);
            for (Placed p : placed.subList(from, to)) {
              windowsOf.add(p.window());
              for (int k = 0; k < p.window().size(); k++) {
                imageOf.add(p.image());
                patchOf.add(p.window().patch(k));
              }
            }
            out.add(new Batch(group, subnet, imageOf, patchOf, windowsOf));
            from = to;
          }
        }
      }
      start = end;
    }
    return out;
  }

  /** A window of image {@code image} of a plan. */
  private record Placed(int image, Window window) {}

  /**
   * The number of forward passes of every subnet for one routing, counted from {@link #plan}.
   *
   * @param subnets the subnet of every patch
   * @param subnetCount the length of the result (the number of subnets)
   */
  public int[] batchesPerSubnet(int[] subnets, int subnetCount) {
    int[] out = new int[subnetCount];
    for (Batch b : plan(subnets.length, new int[][] {subnets})) {
      out[b.subnet()]++;
    }
    return out;
  }
}
