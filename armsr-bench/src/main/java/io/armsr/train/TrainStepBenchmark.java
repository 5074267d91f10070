package io.armsr.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.model.Supernets;
import io.armsr.testing.Synthetic;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Training iterations per second: one {@link #step} is what {@link Trainer} does per iteration
 * (sample a batch of 32x32/128x128 pairs, channels-last input, forward at one width, L1 loss,
 * backward, Adam step), {@link #sample} the batch preparation alone (its share of a step).
 *
 * <p>In package {@code io.armsr.train} because the optimiser, the per-iteration random stream and
 * the channels-last conversion are package-private there; the benchmark uses them exactly as the
 * trainer does.
 *
 * <p>One libtorch thread by default, as in {@link io.armsr.bench.ForwardBenchmark}; {@code -jvmArgs
 * -Dai.djl.pytorch.num_threads=N} replaces it.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Dai.djl.pytorch.num_threads=1"},
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class TrainStepBenchmark {
  /** The training pairs and the iteration counter (two synthetic 256x256 images). */
  @State(Scope.Benchmark)
  public static class Data {
    @Param({"16"})
    public int batch;

    TrainingSet set;
    long iteration;

    @Setup(Level.Trial)
    public void setUp() {
      set = TrainingSet.fromImages("synthetic", Synthetic.images(2, 256, 256, 3));
    }

    TrainingSet.Batch next() {
      return set.sample(IterationRandom.of(1, iteration++), batch);
    }
  }

  /** A freshly initialised supernet with gradients on, and its optimiser. */
  @State(Scope.Benchmark)
  public static class Net {
    @Param({"FSRCNN"})
    public Backbone backbone;

    @Param({"1", "2", "3"})
    public int subnet;

    NDManager manager;
    AbstractSupernet net;
    Adam adam;

    @Setup(Level.Trial)
    public void setUp() {
      manager = NDManager.newBaseManager();
      net = Supernets.create(backbone, Supernets.initialise(backbone, 1), manager);
      net.parameters().values().forEach(p -> p.setRequiresGradient(true));
      adam = new Adam(net.parameters(), manager);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      adam.close();
      net.close();
      manager.close();
    }
  }

  /** One training iteration at width {@code subnet}; returns the loss. */
  @Benchmark
  public float step(Data data, Net n) {
    TrainingSet.Batch b = data.next();
    int batch = b.n();
    try (NDScope scope = new NDScope()) {
      scope.suppressNotUsedWarning();
      NDArray x =
          Trainer.channelsLast(
              n.manager, b.lr(), new Shape(batch, 3, TrainingSet.LR_PATCH, TrainingSet.LR_PATCH));
      NDArray y =
          n.manager.create(b.hr(), new Shape(batch, 3, TrainingSet.HR_PATCH, TrainingSet.HR_PATCH));
      NDArray loss;
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        loss = n.net.forward(x, n.subnet).sub(y).abs().mean();
        gc.backward(loss);
      }
      n.adam.step(1e-4);
      return loss.getFloat();
    }
  }

  /** Batch preparation alone (random crops, flips and rotations of the prepared pairs). */
  @Benchmark
  public TrainingSet.Batch sample(Data data) {
    return data.next();
  }
}
