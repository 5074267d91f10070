package io.armsr.infer;

import ai.djl.ndarray.NDArray;
import io.armsr.model.Backbone;
import io.armsr.model.Supernet;

/**
 * A test double: every subnet is nearest-neighbour x4 plus {@code subnet * offset}, so the output
 * of any pipeline that stitches correctly is known exactly and shows which subnet made each pixel.
 */
final class NearestSupernet implements Supernet {
  private final float offset;

  NearestSupernet(float offset) {
    this.offset = offset;
  }

  @Override
  public Backbone backbone() {
    return Backbone.FSRCNN;
  }

  @Override
  public NDArray forward(NDArray lr, int subnet) {
    return lr.repeat(2, 4).repeat(3, 4).add(subnet * offset);
  }

  @Override
  public void close() {}
}
