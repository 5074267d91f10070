package io.armsr.model;

import ai.djl.ndarray.NDArray;

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

  @Override
  void close();
}
