package io.armsr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.armsr.format.TrainingState.AdamState;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamTest {
  static {
    OneThread.request();
  }

  /** Sets p's gradient to c through the loss sum(c * p). */
  private static void gradient(NDArray p, float[] c) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(p.mul(p.getManager().create(c)).sum());
    }
  }

  @Test
  void twoStepsMatchTheHandComputedUpdate() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(new float[] {1f, -2f});
      p.setRequiresGradient(true);
      try (Adam adam = new Adam(Map.of("p", p), m)) {
        // Step 1, g = (0.5, -1), lr 0.1:
        //   m = 0.1 g = (0.05, -0.1); v = 0.01 g^2 = (0.0025, 0.01)
        //   bc1 = 0.1, bc2 = 0.01; step = 0.1 / 0.1 = 1; denom = sqrt(v) / 0.1 + eps = (0.5, 1)
        //   p -= (0.05 / 0.5, -0.1 / 1) = (0.1, -0.1)  ->  (0.9, -1.9)
        gradient(p, new float[] {0.5f, -1f});
        adam.step(0.1);
        assertArrayEquals(new float[] {0.9f, -1.9f}, p.toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0f, 0f}, p.getGradient().toFloatArray(), 0f, "zeroed");
        // Step 2, same g, lr 0.1:
        //   m = 0.9 m + 0.1 g = (0.095, -0.19); v = 0.99 v + 0.01 g^2 = (0.004975, 0.0199)
        //   bc1 = 0.19, bc2 = 0.0199; step = 0.1 / 0.19; denom = sqrt(v / 0.0199) = (0.5, 1)
        //   p -= (0.1 / 0.19) (0.19, -0.19) = (0.1, -0.1)  ->  (0.8, -1.8)
        gradient(p, new float[] {0.5f, -1f});
        adam.step(0.1);
        assertArrayEquals(new float[] {0.8f, -1.8f}, p.toFloatArray(), 1e-6f);
        AdamState s = adam.state();
        assertEquals(2, s.step());
        assertArrayEquals(new float[] {0.095f, -0.19f}, s.expAvg().get("p").data(), 1e-8f);
        assertArrayEquals(new float[] {0.004975f, 0.0199f}, s.expAvgSq().get("p").data(), 1e-9f);
      }
    }
  }

  @Test
  void changingGradientsMatchADoubleReferenceAndEpsMatters() {
    double[] g1 = {3e-9, -0.25};
    double[] g2 = {-1e-8, 0.75};
    double[] ref = {0.5, 0.5};
    double[] mm = new double[2];
    double[] vv = new double[2];
    double[][] gs = {g1, g2};
    double[] lrs = {1e-3, 5e-4};
    for (int t = 1; t <= 2; t++) {
      for (int i = 0; i < 2; i++) {
        double g = gs[t - 1][i];
        mm[i] = 0.9 * mm[i] + 0.1 * g;
        vv[i] = 0.99 * vv[i] + 0.01 * g * g;
        double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(0.99, t)) + 1e-8;
        ref[i] -= lrs[t - 1] / (1 - Math.pow(0.9, t)) * mm[i] / denom;
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray p = m.create(new float[] {0.5f, 0.5f});
      p.setRequiresGradient(true);
      try (Adam adam = new Adam(Map.of("p", p), m)) {
        for (int t = 0; t < 2; t++) {
          gradient(p, new float[] {(float) gs[t][0], (float) gs[t][1]});
          adam.step(lrs[t]);
        }
      }
      float[] got = p.toFloatArray();
      // Element 0 has |g| ~ eps, so the update (~ 1e-3 * 0.23) depends on eps being right.
      assertEquals(ref[0], got[0], 1e-7);
      assertEquals(ref[1], got[1], 1e-7);
      // The reference itself moved (by about 1e-3 * 0.23 for element 0), so equality means
      // something.
      assertTrue(Math.abs(ref[0] - 0.5) > 1e-4, "reference did not move: " + ref[0]);
      assertTrue(Math.abs(ref[1] - 0.5) > 1e-4, "reference did not move: " + ref[1]);
    }
  }

  @Test
  void restoredStateContinuesIdentically() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {1f, 2f, 3f});
      NDArray b = m.create(new float[] {1f, 2f, 3f});
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      float[][] grads = {{1f, -1f, 0.5f}, {0.2f, 0.3f, -4f}, {-1f, 2f, 0f}};
      try (Adam straight = new Adam(Map.of("p", a), m)) {
        for (float[] g : grads) {
          gradient(a, g);
          straight.step(0.01);
        }
      }
      AdamState saved;
      try (Adam first = new Adam(Map.of("p", b), m)) {
        gradient(b, grads[0]);
        first.step(0.01);
        saved = first.state();
      }
      try (Adam second = new Adam(Map.of("p", b), m, saved)) {
        for (int i = 1; i < grads.length; i++) {
          gradient(b, grads[i]);
          second.step(0.01);
        }
        assertEquals(3, second.step());
      }
      assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
    }
  }
}
