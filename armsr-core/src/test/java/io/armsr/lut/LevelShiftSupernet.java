package io.armsr.lut;

import ai.djl.ndarray.NDArray;
import io.armsr.model.Backbone;
import io.armsr.model.Supernet;
import java.util.ArrayList;
import java.util.List;

/**
 * A test double: subnet j is nearest-neighbour x4 of the input plus j grey levels ({@code j /
 * 255}), so after {@code tensor2img} rounding its output is exactly the replicated LR bytes plus j.
 * Records the batch size of every call.
 */
final class LevelShiftSupernet implements Supernet {
  final List<Long> batchSizes = new ArrayList<>();

  @Override
  public Backbone backbone() {
    return Backbone.FSRCNN;
  }

  @Override
  public NDArray forward(NDArray lr, int subnet) {
    batchSizes.add(lr.getShape().get(0));
    return lr.repeat(2, 4).repeat(3, 4).add(subnet / 255f);
  }

  @Override
  public void close() {}
}
