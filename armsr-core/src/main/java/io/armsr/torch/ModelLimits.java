package io.armsr.torch;

import io.armsr.model.Backbone;
import io.armsr.model.Supernets;

/**
 * How large a model file's contents can honestly be, so that a reader refuses a larger declared
 * size before it allocates or reads anything in proportion to it. The bound is the model itself:
 * the full parameter count of the largest ARM supernet ({@link Supernets#expectedShapes}), a few
 * megabytes of float32. Files from strangers (an HTTP service) may declare anything; nothing
 * legitimate is larger than this.
 */
public final class ModelLimits {
  /** Parameters of the largest supernet of any backbone (each one float32 value). */
  public static final long MAX_PARAMETERS;

  static {
    long max = 0;
    for (Backbone b : Backbone.values()) {
      max = Math.max(max, parameters(b));
    }
    MAX_PARAMETERS = max;
  }

  private ModelLimits() {}

  /** The full parameter count of the supernet of {@code backbone}. */
  public static long parameters(Backbone backbone) {
    long n = 0;
    for (long[] shape : Supernets.expectedShapes(backbone).values()) {
      long k = 1;
      for (long d : shape) {
        k = Math.multiplyExact(k, d);
      }
      n = Math.addExact(n, k);
    }
    return n;
  }
}
