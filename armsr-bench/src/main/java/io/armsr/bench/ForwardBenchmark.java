package io.armsr.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.model.Precision;
import io.armsr.model.Supernets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Supernet forward speed on 32x32 LR patches (the inference patch size), per backbone, subnet
 * (width index; 0 is the bicubic branch) and batch size, in patches per second.
 *
 * <p>Every invocation pushes the same {@value #PATCHES} patches through the network, as {@code
 * PATCHES / batch} forward calls of {@code batch} patches each, so the scores of different batch
 * sizes are directly comparable: batch 1 is the baseline and the ratio {@code score(batch) /
 * score(1)} of one run is what batching buys. The output is copied back to the JVM, as the engine
 * does.
 *
 * <p>libtorch runs on one thread by default here ({@code -Dai.djl.pytorch.num_threads=1}): on a
 * loaded 2-core machine two spin-waiting OpenMP threads made the same run up to 20x slower and far
 * noisier (docs/ENGINE.md). {@code -jvmArgs -Dai.djl.pytorch.num_threads=N} replaces it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgs = {"-Dai.djl.pytorch.num_threads=1"},
    jvmArgsAppend = {"-Dai.djl.offline=true", "-Xmx4g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class ForwardBenchmark {
  /** Patches per invocation: a multiple of every batch size below. */
  static final int PATCHES = 16;

  @Param({"FSRCNN", "CARN", "SRRESNET"})
  public Backbone backbone;

  @Param({"0", "1", "2", "3"})
  public int subnet;

  @Param({"1", "4", "16"})
  public int batch;

  /** The convolutions' arithmetic ({@code -p precision=FP32,BF16,AUTO} compares them). */
  @Param({"FP32"})
  public Precision precision;

  private NDManager manager;
  private AbstractSupernet net;
  private NDArray lr;

  @Setup(Level.Trial)
  public void setUp() {
    if (PATCHES % batch != 0) {
      throw new IllegalArgumentException("batch must divide " + PATCHES + ": " + batch);
    }
    manager = NDManager.newBaseManager();
    net = Supernets.create(backbone, Supernets.initialise(backbone, 1), manager);
    lr = manager.randomUniform(0, 1, new Shape(batch, 3, 32, 32));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    net.close();
    manager.close();
  }

  @Benchmark
  @OperationsPerInvocation(PATCHES)
  public void forward(Blackhole bh) {
    for (int i = 0; i < PATCHES / batch; i++) {
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        bh.consume(net.forward(lr, subnet, precision).toFloatArray());
      }
    }
  }
}
