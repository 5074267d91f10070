package io.armsr.cli;

import io.armsr.model.EngineThreads;
import picocli.CommandLine.Option;

/**
 * {@code --threads N}: the cores a command uses. Inference commands run N worker threads, each
 * driving libtorch with one intra-op thread ({@link #workers}); training and table building give
 * libtorch N intra-op threads ({@link #apply}).
 */
final class ThreadOptions {

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "cores to use (default: all); 1 is much faster when other work shares the cores")
  Integer threads;

  /**
   * For training and table building: sets libtorch's intra-op thread count. It is read once, when
   * the engine starts, so this must run before any model is loaded; commands call it first.
   *
   * @throws IllegalArgumentException if N is not positive
   */
  void apply() {
    if (threads == null) {
      return;
    }
    check();
    System.setProperty(EngineThreads.PROPERTY, threads.toString());
  }

  /**
   * For inference: sets libtorch to one intra-op thread (before the engine starts) and returns the
   * number of engine workers, N or every core.
   *
   * @throws IllegalArgumentException if N is not positive
   */
  int workers() {
    check();
    System.setProperty(EngineThreads.PROPERTY, "1");
    return threads != null ? threads : Runtime.getRuntime().availableProcessors();
  }

  private void check() {
    if (threads != null && (threads < 1 || threads > 256)) {
      throw new IllegalArgumentException("--threads must be 1..256, got " + threads);
    }
  }
}
