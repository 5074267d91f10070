package io.armsr.train;

/**
 * Asks libtorch for one intra-op thread, if the engine is not started yet in this JVM. On the
 * shared 2-core test machines a busy neighbour makes libtorch's spinning OpenMP threads 10x+ slower
 * (docs/ENGINE.md, oversubscription; measured 530 ms vs 35 ms per FSRCNN step); results do not
 * depend on the thread count within one run.
 */
final class OneThread {
  private OneThread() {}

  static void request() {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1");
    }
  }
}
