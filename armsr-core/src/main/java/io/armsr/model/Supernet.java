package io.armsr.model;

import ai.djl.ndarray.NDArray;

/**
 * A slimmable x4 super-resolution supernet (ARM.md 1): one parameter set, of which every subnet
 * uses a prefix slice {@code W[:out, :in]}. The subnet is an argument of {@link #forward}, never
 * state, so one instance may serve patches of different widths from several threads.
 */
public interface Supernet extends AutoCloseable {

  Backbone backbone();

  /**
   * Runs subnet {@code j} on a batch.
   *
   * @param lr (N, 3, h, w) float32 RGB in [0, 1]
   * @param subnet 0 = bicubic branch (torch-compatible bicubic x4), 1..3 = widths
   * @return (N, 3, 4h, 4w) float32, not clamped; attached to {@code lr}'s manager
   */
  NDArray forward(NDArray lr, int subnet);

  /**
   * {@link #forward} at {@code precision} ({@link Precision}); a supernet without reduced precision
   * runs fp32 whatever is asked.
   */
  default NDArray forward(NDArray lr, int subnet, Precision precision) {
    return forward(lr, subnet);
  }

  /**
   * True if {@link #forwardSubPixel} serves subnet {@code j}: a width of a backbone that ends in a
   * x4 pixel shuffle (FSRCNN's tail), at inference (no gradients attached).
   */
  default boolean hasSubPixelReadOut(int subnet) {
    return false;
  }

  /**
   * Inference read-out of subnet {@code j}: the output before its final x4 pixel shuffle, of the
   * centre of each input only, channels last. A caller that reads the pixels anyway does the
   * shuffle as it reads (saving libtorch a copy of the whole output), and the layers after the last
   * one that needs the cut-away context run on the centre only (same floats, fewer multiply-adds).
   *
   * <p>Let {@code m = margin}. Then {@code forward(lr, j)[n, c, 4(y + m) + i, 4(x + m) + k] =
   * out[n, y, x, 16 c + 4 i + k]}.
   *
   * @param lr (N, 3, h, w) RGB in [0, 1]; a channels-last view (a (N, h, w, 3) array permuted to
   *     (N, 3, h, w)) makes libtorch run every convolution channels last, which is faster
   * @param margin LR pixels cut from each side, {@code 0 <= 2 margin < min(h, w)}
   * @return (N, h - 2m, w - 2m, 48), contiguous, attached to {@code lr}'s manager
   * @throws UnsupportedOperationException unless {@link #hasSubPixelReadOut}
   */
  default NDArray forwardSubPixel(NDArray lr, int subnet, int margin) {
    throw new UnsupportedOperationException(backbone().id() + " has no sub-pixel read-out");
  }

  /**
   * {@link #forwardSubPixel} at {@code precision}, as {@link #forward(NDArray, int, Precision)}.
   */
  default NDArray forwardSubPixel(NDArray lr, int subnet, int margin, Precision precision) {
    return forwardSubPixel(lr, subnet, margin);
  }

  @Override
  void close();
}
