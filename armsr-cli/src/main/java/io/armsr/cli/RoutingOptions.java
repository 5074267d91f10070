package io.armsr.cli;

import io.armsr.infer.DeviceProfile;
import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.LatencyFeedback;
import io.armsr.route.RoutingChoice;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The mutually exclusive routing options; ARM-L ({@code --k 4}) when none is given. */
final class RoutingOptions {

  /** The paper's quality setting ARM-L ({@link RoutingChoice#DEFAULT_K}). */
  static final double DEFAULT_K = RoutingChoice.DEFAULT_K;

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

    @Option(
        names = "--budget-ms",
        paramLabel = "T",
        description =
            "keep the image's predicted time within T milliseconds, using the time model fitted"
                + " by 'armsr calibrate' (see --profile)")
    Double budgetMs;
  }

  @Option(
      names = "--profile",
      paramLabel = "F",
      description =
          "device profile for --budget-ms (default: ~/.armsr/profile-<backbone>.json, written by"
              + " 'armsr calibrate')")
  Path profile;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Choice choice;

  /**
   * The routing mode the options ask for.
   *
   * @param backbone the model's backbone id, to find and check the device profile of {@code
   *     --budget-ms}
   * @param engine the engine's options, compared with those the profile was measured with
   */
  RoutingMode mode(String backbone, Upscaler.Options engine) throws IOException {
    if (profile != null && (choice == null || choice.budgetMs == null)) {
      throw new IllegalArgumentException("--profile goes with --budget-ms");
    }
    check();
    if (choice != null && choice.budgetMs != null) {
      DeviceProfile p = readProfile(backbone, engine);
      // One feedback per command: over a folder, the images already done correct the profile.
      return new RoutingMode.TimeBudget(choice.budgetMs, p.time(), new LatencyFeedback());
    }
    return choice().mode();
  }

  /**
   * Reads and checks the device profile: {@code --profile F}, or the default one of {@code
   * backbone}; warns on stderr when it is old or was measured with other engine options.
   *
   * @throws IllegalArgumentException when it is missing, invalid or for another backbone
   */
  DeviceProfile readProfile(String backbone, Upscaler.Options engine) throws IOException {
    Backbone b = Backbone.parse(backbone);
    Path file = profile != null ? profile : DeviceProfile.defaultPath(b);
    DeviceProfile p = DeviceProfile.read(file);
    if (p.backbone() != b) {
      throw new IllegalArgumentException(
          "device profile " + file + " was measured for " + p.backbone().id() + ", not " + b.id());
    }
    if (p.version() < DeviceProfile.VERSION) {
      System.err.println(
          "armsr: warning: device profile "
              + file
              + " is version "
              + p.version()
              + " (a time per patch only, blind to partial batches); re-run 'armsr calibrate'");
    }
    String differences = differences(p, engine);
    if (!differences.isEmpty()) {
      System.err.println(
          "armsr: warning: device profile "
              + file
              + " was measured with "
              + differences
              + "; times may be off (re-run 'armsr calibrate' with these options)");
    }
    return p;
  }

  /** The routing flag given, as the library's {@link RoutingChoice}. */
  RoutingChoice choice() {
    if (choice == null) {
      return RoutingChoice.DEFAULT;
    }
    return new RoutingChoice(choice.subnet, choice.best, choice.k, choice.budget, choice.budgetMs);
  }

  /**
   * Checks the value of the routing flag given, so that a bad one is reported by its flag name
   * ({@link RoutingChoice#check}).
   *
   * @throws IllegalArgumentException naming the flag
   */
  void check() {
    choice().check("--");
  }

  /** How the engine's options differ from the profile's, e.g. "--batch 32 (now 8)"; or "". */
  static String differences(DeviceProfile p, Upscaler.Options engine) {
    List<String> out = new ArrayList<>();
    if (!p.grid().equals(engine.grid().id())) {
      out.add("--grid " + p.grid() + " (now " + engine.grid().id() + ")");
    }
    if (p.margin() != engine.effectiveMargin()) {
      out.add("--margin " + p.margin() + " (now " + engine.effectiveMargin() + ")");
    }
    if (p.time().batchSize() != engine.batchSize()) {
      out.add("--batch " + p.time().batchSize() + " (now " + engine.batchSize() + ")");
    }
    if (p.threads() > 0 && p.threads() != engine.workers()) {
      out.add("--threads " + p.threads() + " (now " + engine.workers() + ")");
    }
    if (!p.precision().equals(engine.effectivePrecision().id())) {
      out.add("--precision " + p.precision() + " (now " + engine.effectivePrecision().id() + ")");
    }
    String windows =
        engine.grid() == Grid.FULL
            ? Upscaler.defaultWindows(p.backbone()).id()
            : Batching.Windows.NONE.id();
    if (!p.windows().equals(windows)) {
      out.add("shared windows " + p.windows() + " (now " + windows + ")");
    }
    return String.join(", ", out);
  }
}
