package io.armsr.cli;

import picocli.CommandLine.Option;

/** {@code --threads N}: caps the cores libtorch uses (its intra-op threads). */
final class ThreadOptions {

  @Option(
      names = "--threads",
      paramLabel = "N",
      description =
          "libtorch intra-op threads, i.e. the cores used (default: all); 1 is much faster when"
              + " other work shares the cores")
  Integer threads;

  /**
   * Sets libtorch's thread count. It is read once, when the engine starts, so this must run before
   * any model is loaded; commands call it first.
   *
   * @throws IllegalArgumentException if N is not positive
   */
  void apply() {
    if (threads == null) {
      return;
    }
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be positive: " + threads);
    }
    System.setProperty("ai.djl.pytorch.num_threads", threads.toString());
  }
}
