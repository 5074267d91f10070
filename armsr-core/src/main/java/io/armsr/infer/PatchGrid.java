package io.armsr.infer;

import java.util.ArrayList;
import java.util.List;

/**
 * The LR patches of one image, in row-major order, for a {@link Grid}. Every patch of one grid has
 * the same size ({@link #patchWidth()} x {@link #patchHeight()}), so patches batch together.
 *
 * @param imageWidth LR image width
 * @param imageHeight LR image height
 * @param xs patch origins along x, ascending
 * @param ys patch origins along y, ascending
 * @param patchWidth patch width in LR pixels (32, or the image width if smaller in the full grid)
 * @param patchHeight patch height in LR pixels
 */
public record PatchGrid(
    int imageWidth, int imageHeight, int[] xs, int[] ys, int patchWidth, int patchHeight) {

  /** One patch: its row-major index and LR rectangle. */
  public record Patch(int index, int row, int col, int x, int y, int width, int height) {}

  public static PatchGrid of(Grid grid, int width, int height) {
    return switch (grid) {
      case REFERENCE -> reference(width, height);
      case FULL -> full(width, height);
    };
  }

  /**
   * The official grid (ARM.md 5.2, {@code crop_cpu(LR, 32, 28)}): {@code arange(0, n-32+1, 28)} per
   * axis; the remainder beyond the last patch is dropped.
   *
   * @throws IllegalArgumentException if the image is smaller than one patch
   */
  public static PatchGrid reference(int width, int height) {
    if (width < Grid.PATCH || height < Grid.PATCH) {
      throw new IllegalArgumentException(
          "the reference grid needs an image of at least 32x32 LR pixels, got "
              + width
              + "x"
              + height
              + " (the full grid takes any size)");
    }
    return new PatchGrid(
        width, height, referenceOrigins(width), referenceOrigins(height), Grid.PATCH, Grid.PATCH);
  }

  /**
   * The full-coverage grid: the official origins plus one flush with the far border when a
   * remainder is left; one patch of the image's size along an axis shorter than 32.
   */
  public static PatchGrid full(int width, int height) {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("empty image " + width + "x" + height);
    }
    return new PatchGrid(
        width,
        height,
        fullOrigins(width),
        fullOrigins(height),
        Math.min(Grid.PATCH, width),
        Math.min(Grid.PATCH, height));
  }

  private static int[] referenceOrigins(int n) {
    int count = (n - Grid.PATCH) / Grid.STEP + 1;
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      out[i] = i * Grid.STEP;
    }
    return out;
  }

  private static int[] fullOrigins(int n) {
    if (n <= Grid.PATCH) {
      return new int[] {0};
    }
    int[] ref = referenceOrigins(n);
    int last = ref[ref.length - 1];
    if (last + Grid.PATCH == n) {
      return ref;
    }
    int[] out = java.util.Arrays.copyOf(ref, ref.length + 1);
    out[ref.length] = n - Grid.PATCH;
    return out;
  }

  public int rows() {
    return ys.length;
  }

  public int cols() {
    return xs.length;
  }

  public int size() {
    return xs.length * ys.length;
  }

  /** LR width covered by the patches: the whole image in the full grid. */
  public int coveredWidth() {
    return xs[xs.length - 1] + patchWidth;
  }

  /** LR height covered by the patches. */
  public int coveredHeight() {
    return ys[ys.length - 1] + patchHeight;
  }

  public Patch patch(int index) {
    int row = index / xs.length;
    int col = index % xs.length;
    return new Patch(index, row, col, xs[col], ys[row], patchWidth, patchHeight);
  }

  /**
   * The LR rectangle of a window of this grid's patches ({@link io.armsr.route.Batching.Window}):
   * the union of its patches, without margins; its index, row and column are those of its first
   * patch.
   */
  public Patch window(io.armsr.route.Batching.Window w) {
    if (w.size() == 1) {
      return patch(w.first());
    }
    Patch first = patch(w.first());
    Patch last = patch(w.patch(w.size() - 1));
    return new Patch(
        first.index(),
        first.row(),
        first.col(),
        first.x(),
        first.y(),
        last.x() + last.width() - first.x(),
        last.y() + last.height() - first.y());
  }

  public List<Patch> patches() {
    List<Patch> out = new ArrayList<>(size());
    for (int i = 0; i < size(); i++) {
      out.add(patch(i));
    }
    return out;
  }
}
