package io.armsr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Informal forward throughput (32x32 LR patches per second, batch 64); run with {@code
 * -Darmsr.bench=true}. Not an assertion: the numbers depend on the machine and its load.
 */
@EnabledIfSystemProperty(named = "armsr.bench", matches = "true")
class ForwardSpeedTest {

  @Test
  void patchesPerSecond() {
    int batch = 64;
    for (Backbone b : Backbone.values()) {
      try (NDManager m = NDManager.newBaseManager();
          AbstractSupernet net = Supernets.create(b, Supernets.initialise(b, 1), m)) {
        NDArray lr = m.randomUniform(0, 1, new Shape(batch, 3, 32, 32));
        for (int subnet = 0; subnet <= 3; subnet++) {
          int reps = b == Backbone.FSRCNN || subnet == 0 ? 10 : 2;
          for (int i = 0; i < 2; i++) {
            try (NDScope s = new NDScope()) {
              net.forward(lr, subnet).toFloatArray();
            }
          }
          long t0 = System.nanoTime();
          for (int i = 0; i < reps; i++) {
            try (NDScope s = new NDScope()) {
              net.forward(lr, subnet).toFloatArray();
            }
          }
          double sec = (System.nanoTime() - t0) / 1e9;
          System.out.printf(
              "%s subnet %d (w%d): %.0f patches/s%n",
              b.id(), subnet, b.width(subnet), reps * batch / sec);
        }
      }
    }
  }
}
