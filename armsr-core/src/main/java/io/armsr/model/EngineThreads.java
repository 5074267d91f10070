package io.armsr.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's intra-op thread count, the one engine setting armsr changes while running.
 *
 * <p>libtorch keeps it per calling thread (OpenMP), so a thread that runs forward passes sets its
 * own: the inference engine's worker threads run one intra-op thread each and parallelise in Java
 * (docs/ENGINE.md: libtorch's spinning threads and Java threads on the same cores slow each other
 * down many times over), while {@code bench}'s baseline gives its single thread every core, as the
 * release's PyTorch process has them.
 */
public final class EngineThreads {
  /** The system property DJL reads once, when the engine starts. */
  public static final String PROPERTY = "ai.djl.pytorch.num_threads";

  private EngineThreads() {}

  /** Sets the intra-op thread count of the calling thread (starting the engine if need be). */
  public static void set(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("thread count must be positive, got " + threads);
    }
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
  }

  /** The intra-op thread count of the calling thread. */
  public static int get() {
    Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
