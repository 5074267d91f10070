package io.armsr.cli;

import io.armsr.format.ModelFiles;
import io.armsr.format.TrainingProvenance;
import io.armsr.format.TrainingState;
import io.armsr.format.WeightsFile;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.torch.CheckpointFormatException;
import io.armsr.train.CosineSchedule;
import io.armsr.train.TrainConfig;
import io.armsr.train.Trainer;
import io.armsr.train.TrainingSet;
import io.armsr.train.ValidationSet;
import io.armsr.train.WidthSampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code armsr train}: trains a supernet as the official release does (ARM.md 2). When resuming,
 * options left out are taken from the checkpoint; options given must agree with it.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Train an ARM supernet (L1, Adam, cosine schedule, one width per iteration with P ~"
          + " FLOPs^2).",
      "Writes the weights to --out at the end, a checkpoint to <out>.ckpt and a CSV log to"
          + " <out>.csv."
    })
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--backbone", description = "fsrcnn, carn or srresnet (default: fsrcnn)")
  String backbone;

  @Option(
      names = "--data",
      required = true,
      arity = "1..*",
      paramLabel = "DIR",
      description =
          "folders of HR training images (PNG, JPEG, BMP, TIFF, WebP; searched recursively)")
  List<Path> data;

  @Option(
      names = "--iterations",
      paramLabel = "N",
      description = "length of the run (official 2000000)")
  Long iterations;

  @Option(names = "--batch", paramLabel = "N", description = "patches per iteration (default: 16)")
  Integer batch;

  @Option(
      names = "--lr",
      paramLabel = "LR",
      description = "initial learning rate (default: 1e-3 FSRCNN, 2e-4 CARN/SRResNet)")
  Double lr;

  @Option(names = "--seed", paramLabel = "S", description = "random seed (default: 0)")
  Long seed;

  @Option(
      names = "--sampler",
      paramLabel = "RULE",
      description =
          "flops2 (official), uniform, sandwich, or full (the full width only, for a final"
              + " phase) (default: flops2)")
  String sampler;

  @Option(names = "--out", required = true, paramLabel = "F", description = "final weights file")
  Path out;

  @Option(
      names = "--resume",
      paramLabel = "F",
      description = "continue exactly from a checkpoint (<out>.ckpt)")
  Path resume;

  @Option(
      names = "--init",
      paramLabel = "F",
      description =
          "start a fresh run (new optimizer, whole schedule) from these weights instead of random"
              + " ones: a warm restart (an armsr weights file or an official .pth)")
  Path init;

  @Option(
      names = "--val",
      paramLabel = "DIR",
      description = "validation HR images: PSNR per width in the CSV log")
  Path val;

  @Option(
      names = "--val-images",
      paramLabel = "N",
      defaultValue = "10",
      description = "use the first N images of --val (default: ${DEFAULT-VALUE})")
  int valImages;

  @Option(
      names = "--checkpoint-every",
      paramLabel = "N",
      defaultValue = "10000",
      description = "checkpoint interval (default: ${DEFAULT-VALUE})")
  long checkpointEvery;

  @Option(
      names = "--val-every",
      paramLabel = "N",
      defaultValue = "5000",
      description = "validation / CSV interval (default: ${DEFAULT-VALUE})")
  long valEvery;

  @Option(
      names = "--log-every",
      paramLabel = "N",
      defaultValue = "100",
      description =
          "progress line interval when stderr is not a terminal (default: ${DEFAULT-VALUE})")
  long logEvery;

  @Option(
      names = "--stop-at",
      paramLabel = "N",
      description = "stop after iteration N and keep the checkpoint (default: --iterations)")
  Long stopAt;

  @Mixin ThreadOptions threads;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    threads.apply();
    WeightsFile.Contents checkpoint = null;
    if (resume != null) {
      ModelOptions.requireFile(resume, "--resume");
      checkpoint = WeightsFile.read(resume);
      TrainingState s =
          checkpoint
              .training()
              .orElseThrow(
                  () ->
                      new CheckpointFormatException(
                          resume, "holds weights only, no optimizer state: not a checkpoint"));
      requireAgreement(checkpoint, s);
      backbone = backbone == null ? checkpoint.backbone().id() : backbone;
      iterations = iterations == null ? s.iterations() : iterations;
      batch = batch == null ? s.batch() : batch;
      lr = lr == null ? s.lr0() : lr;
      seed = seed == null ? s.seed() : seed;
      sampler = sampler == null ? s.sampler() : sampler;
    }
    if (iterations == null) {
      throw new IllegalArgumentException("--iterations is required (official: 2000000)");
    }
    Backbone b = Backbone.parse(backbone == null ? "fsrcnn" : backbone);
    StateDict initWeights = null;
    if (init != null) {
      if (resume != null) {
        throw new IllegalArgumentException(
            "--init starts a new run; --resume continues one: not both");
      }
      initWeights = ModelFiles.readWeights(init, b);
    }
    if (valImages < 1) {
      throw new IllegalArgumentException("--val-images must be positive: " + valImages);
    }
    long last = stopAt == null ? iterations : stopAt;
    positive("--iterations", iterations);
    positive("--batch", batch == null ? 16 : batch);
    positive("--checkpoint-every", checkpointEvery);
    positive("--val-every", valEvery);
    positive("--log-every", logEvery);
    if (lr != null && (!(lr > 0) || Double.isInfinite(lr) || lr < CosineSchedule.ETA_MIN)) {
      throw new IllegalArgumentException(
          "--lr must be a finite number of at least " + CosineSchedule.ETA_MIN + ": " + lr);
    }
    if (last < 1 || last > iterations) {
      throw new IllegalArgumentException(
          "--stop-at must be in 1.." + iterations + " (--iterations): " + last);
    }
    if (checkpoint != null && checkpoint.training().orElseThrow().iteration() >= last) {
      throw new IllegalArgumentException(
          "--resume "
              + resume
              + ": the checkpoint is at iteration "
              + checkpoint.training().orElseThrow().iteration()
              + ", nothing left to do up to "
              + last
              + " (--stop-at, --iterations)");
    }
    for (Path folder : data) {
      if (!Files.isDirectory(folder)) {
        throw new IllegalArgumentException("--data " + folder + ": no such folder");
      }
    }
    if (val != null && !Files.isDirectory(val)) {
      throw new IllegalArgumentException("--val " + val + ": no such folder");
    }
    TrainConfig config =
        new TrainConfig(
            b,
            iterations,
            batch == null ? 16 : batch,
            lr == null ? TrainConfig.defaultLearningRate(b) : lr,
            seed == null ? 0 : seed,
            WidthSampler.Kind.parse(sampler == null ? "flops2" : sampler),
            out,
            checkpointEvery,
            valEvery,
            logEvery,
            last);
    Path parent = out.toAbsolutePath().getParent();
    if (!Files.isDirectory(parent)) {
      throw new IllegalArgumentException("--out " + out + ": folder " + parent + " does not exist");
    }
    TrainingSet set = TrainingSet.load(data, System.err::println);
    ValidationSet validation = val == null ? null : ValidationSet.load(val, valImages);
    System.err.printf(
        Locale.ROOT,
        "training %s: %d pairs, batch %d, lr %.3g, sampler %s, seed %d, iterations %d%s%n",
        b.id(),
        set.pairs(),
        config.batch(),
        config.lr0(),
        config.sampler().id(),
        config.seed(),
        config.iterations(),
        checkpoint == null
            ? ""
            : ", resuming at " + (checkpoint.training().orElseThrow().iteration() + 1));
    String commandLine = Main.typedCommandLine(spec);
    // The runs this one continues, recorded in its files' provenance.
    List<TrainingProvenance> earlier =
        checkpoint != null
            ? checkpoint.provenance().chain()
            : init != null
                ? ModelFiles.provenanceOf(init).map(TrainingProvenance::chain).orElse(List.of())
                : List.of();
    Trainer.Result r =
        new Trainer(
                config, set, validation, commandLine, earlier, System.err, System.console() != null)
            .run(checkpoint, initWeights, null);
    System.err.printf(
        Locale.ROOT,
        "iterations %d..%d in %.1f s (%.2f it/s; preparing batches %.1f%%); checkpoint %s%n",
        r.firstIteration(),
        r.lastIteration(),
        r.seconds(),
        (r.lastIteration() - r.firstIteration() + 1) / r.seconds(),
        100 * r.dataSeconds() / r.seconds(),
        config.checkpointFile());
    return 0;
  }

  private static void positive(String option, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(option + " must be positive: " + value);
    }
  }

  /**
   * Options given with {@code --resume} must agree with the checkpoint's run (those left out are
   * taken from it): otherwise the run would not continue the same schedule and random streams.
   */
  private void requireAgreement(WeightsFile.Contents checkpoint, TrainingState s) {
    List<String> diff = new java.util.ArrayList<>();
    if (backbone != null && Backbone.parse(backbone) != checkpoint.backbone()) {
      diff.add("--backbone " + checkpoint.backbone().id() + " (given " + backbone + ")");
    }
    differs(diff, "--seed", s.seed(), seed);
    differs(diff, "--sampler", s.sampler(), sampler);
    differs(diff, "--batch", s.batch(), batch);
    differs(diff, "--iterations", s.iterations(), iterations);
    differs(diff, "--lr", s.lr0(), lr);
    if (!diff.isEmpty()) {
      throw new IllegalArgumentException(
          "--resume " + resume + ": the checkpoint was trained with " + String.join(", ", diff));
    }
  }

  private static void differs(List<String> diff, String option, Object saved, Object given) {
    if (given != null && !saved.equals(given)) {
      diff.add(option + " " + saved + " (given " + given + ")");
    }
  }
}
