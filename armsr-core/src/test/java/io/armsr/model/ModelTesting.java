package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.model.NaiveReference.T;
import java.util.Random;

/** Shared helpers for the supernet tests. */
final class ModelTesting {
  private ModelTesting() {}

  static float[] randomImage(Random r, int n) {
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = r.nextFloat();
    }
    return d;
  }

  /** Image {@code i} of an (N, C, H, W) NDArray as a reference activation. */
  static T image(float[] batch, int i, int c, int h, int w) {
    float[] d = new float[c * h * w];
    System.arraycopy(batch, i * d.length, d, 0, d.length);
    return new T(c, h, w, d);
  }

  static NDArray input(NDManager m, float[] data, int n, int h, int w) {
    return m.create(data, new Shape(n, 3, h, w));
  }

  /**
   * Asserts {@code out} (N, 3, 4h, 4w) is finite and equals the reference outputs image by image
   * within {@code tol} (absolute).
   */
  static void assertMatches(NDArray out, T[] expected, double tol, String what) {
    T e0 = expected[0];
    assertArrayEquals(
        new long[] {expected.length, e0.c(), e0.h(), e0.w()}, out.getShape().getShape(), what);
    float[] got = out.toFloatArray();
    int per = e0.d().length;
    double max = 0;
    for (int n = 0; n < expected.length; n++) {
      for (int i = 0; i < per; i++) {
        float g = got[n * per + i];
        assertTrue(Float.isFinite(g), () -> what + ": non-finite output");
        max = Math.max(max, Math.abs(g - expected[n].d()[i]));
      }
    }
    double m = max;
    assertTrue(max < tol, () -> what + ": max abs error " + m + " >= " + tol);
  }
}
