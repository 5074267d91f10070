package io.armsr.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.model.Supernets;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Training throughput per FSRCNN width at batch 16 (forward, backward, Adam step) and the cost of
 * preparing a batch. A measurement, not a check: runs only with {@code -Darmsr.throughput=true}.
 */
class ThroughputProbeTest {

  @Test
  void measure() {
    assumeTrue(Boolean.getBoolean("armsr.throughput"), "throughput probe: -Darmsr.throughput=true");
    int n = 16;
    int iterations = Integer.getInteger("armsr.throughput.iterations", 60);
    TrainingSet data = TrainingSet.fromImages("synthetic", Synthetic.images(2, 256, 256, 3));
    System.out.println(
        "libtorch threads: " + System.getProperty("ai.djl.pytorch.num_threads", "default"));
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 1), m)) {
      net.parameters().values().forEach(p -> p.setRequiresGradient(true));
      try (Adam adam = new Adam(net.parameters(), m)) {
        for (int subnet = 1; subnet <= 3; subnet++) {
          long dataNanos = 0;
          long stepNanos = 0;
          for (int i = -10; i < iterations; i++) { // 10 warm-up steps
            long t0 = System.nanoTime();
            TrainingSet.Batch b = data.sample(IterationRandom.of(1, i + 100), n);
            long t1 = System.nanoTime();
            try (NDScope scope = new NDScope()) {
              scope.suppressNotUsedWarning();
              NDArray x = Trainer.channelsLast(m, b.lr(), new Shape(n, 3, 32, 32));
              NDArray y = m.create(b.hr(), new Shape(n, 3, 128, 128));
              NDArray loss;
              try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = net.forward(x, subnet).sub(y).abs().mean();
                gc.backward(loss);
              }
              adam.step(1e-4);
              loss.getFloat();
            }
            long t2 = System.nanoTime();
            if (i >= 0) {
              dataNanos += t1 - t0;
              stepNanos += t2 - t1;
            }
          }
          double perIt = (dataNanos + stepNanos) / 1e9 / iterations;
          System.out.printf(
              Locale.ROOT,
              "FSRCNN w%d batch %d: %.1f ms/it (data %.2f ms, step %.1f ms) = %.1f it/s, %.0f"
                  + " patches/s%n",
              Backbone.FSRCNN.width(subnet),
              n,
              perIt * 1e3,
              dataNanos / 1e6 / iterations,
              stepNanos / 1e6 / iterations,
              1 / perIt,
              n / perIt);
        }
      }
    }
  }
}
