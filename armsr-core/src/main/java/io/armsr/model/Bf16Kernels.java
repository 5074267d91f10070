package io.armsr.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The bfloat16 convolution of {@link Precision#BF16}, through a small TorchScript module shipped in
 * the jar ({@code bf16-kernels.pt}, code only, written by {@code scripts/make-bf16-kernels.py}).
 *
 * <p>DJL 0.36's PyTorch JNI aborts the JVM on any conversion to {@code bfloat16} (docs/ENGINE.md),
 * but it runs TorchScript methods and holds the bf16 tensors they return as arrays of unknown data
 * type, which can be passed back in. So the weights are converted once, by the module's {@code
 * forward}, and each bf16 convolution is one call of its {@code conv}: the float32 input is rounded
 * to bf16, convolved by oneDNN with float32 accumulation, and the result returned as float32. Such
 * bf16 arrays must never be read from Java ({@code toFloatArray}, {@code getDataType}); only this
 * class touches them.
 *
 * <p>Thread-safe: a loaded TorchScript module's methods may be called from many threads at once.
 */
final class Bf16Kernels implements AutoCloseable {
  private static final String RESOURCE = "bf16-kernels.pt";

  private final PtSymbolBlock module;

  /** Loads the module into {@code manager} (closed with it, or by {@link #close}). */
  Bf16Kernels(NDManager manager) {
    try (InputStream in = Bf16Kernels.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      this.module = JniUtils.loadModule((PtNDManager) manager, in, false, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** {@code a} as a new bf16 array in {@code a}'s manager (weights: once, at load). */
  NDArray toBf16(NDArray a) {
    try (IValue in = IValue.from((PtNDArray) a);
        IValue out = run("forward", in)) {
      return out.toTensor((PtNDManager) a.getManager());
    }
  }

  /**
   * {@link Ops#conv} in bf16.
   *
   * @param x (N, C, H, W) float32
   * @param weight (O, C / groups, k, k) bf16, from {@link #toBf16}
   * @param bias (O) bf16
   * @return (N, O, H', W') float32, in {@code x}'s manager
   */
  NDArray conv(NDArray x, NDArray weight, NDArray bias, int pad, int groups) {
    try (IValue xi = IValue.from((PtNDArray) x);
        IValue wi = IValue.from((PtNDArray) weight);
        IValue bi = IValue.from((PtNDArray) bias);
        IValue pi = IValue.from((long) pad);
        IValue gi = IValue.from((long) groups);
        IValue out = run("conv", xi, wi, bi, pi, gi)) {
      return out.toTensor((PtNDManager) x.getManager());
    }
  }

  /**
   * Calls a method with the graph executor's optimisation off, for the calling thread (libtorch
   * keeps the switch per thread): the profiling executor would otherwise re-profile and
   * re-specialise the method for every new input shape, and a folder's joint batches come in many.
   */
  private IValue run(String method, IValue... args) {
    JniUtils.setGraphExecutorOptimize(false);
    return IValueUtils.runMethod(module, method, args);
  }

  @Override
  public void close() {
    module.close();
  }
}
