package io.armsr.cli;

import io.armsr.route.RoutingMode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The mutually exclusive routing options; ARM-L ({@code --k 4}) when none is given. */
final class RoutingOptions {

  /** The paper's quality setting ARM-L: close to full-width PSNR at 60-80% of its FLOPs. */
  static final double DEFAULT_K = 4.0;

  static final class Choice {
    @Option(
        names = "--subnet",
        paramLabel = "J",
        description = "run subnet J on every patch (0 = bicubic, 3 = full width)")
    Integer subnet;

    @Option(names = "--best", description = "route each patch to its best predicted PSNR")
    boolean best;

    @Option(
        names = "--k",
        paramLabel = "K",
        description =
            "ARM's trade-off argmax(eta*PSNR - FLOPs) with eta = K * FLOPs_full; larger K spends"
                + " more compute (default: 4)")
    Double k;

    @Option(
        names = "--budget",
        paramLabel = "F",
        description =
            "spend at most F (0 < F <= 1) of the full-width cost on the image, routing patches to"
                + " minimise its predicted error")
    Double budget;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Choice choice;

  RoutingMode mode() {
    if (choice == null) {
      return new RoutingMode.Tradeoff(DEFAULT_K);
    }
    if (choice.subnet != null) {
      return new RoutingMode.Fixed(choice.subnet);
    }
    if (choice.best) {
      return new RoutingMode.Best();
    }
    if (choice.budget != null) {
      return new RoutingMode.Budget(choice.budget);
    }
    return new RoutingMode.Tradeoff(choice.k);
  }
}
