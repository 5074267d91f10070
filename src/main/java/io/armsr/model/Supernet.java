package io.armsr.model;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * A slimmable x4 super-resolution supernet (ARM-SPEC 1): one parameter set, of which every subnet
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
   * The output of subnet {@code j} before a final x4 pixel shuffle, for backbones that end in one
   * (FSRCNN's tail): {@code (N, 3 x 16, h, w)} with {@code forward(lr, j)[n, c, 4y + i, 4x + k] =
   * out[n, 16 c + 4 i + k, y, x]}, so a caller that reads the pixels anyway can do the shuffle as
   * it reads and save libtorch a copy of the whole output. Inference only (pre-sliced weights).
   *
   * @return the unshuffled output, or empty when the subnet does not end in a pixel shuffle
   */
  default Optional<NDArray> forwardBeforeShuffle(NDArray lr, int subnet) {
    return Optional.empty();
  }

  @Override
  void close();
}
