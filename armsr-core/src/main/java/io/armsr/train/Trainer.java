package io.armsr.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.armsr.format.Software;
import io.armsr.format.TrainingProvenance;
import io.armsr.format.TrainingState;
import io.armsr.format.WeightsFile;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernets;
import io.armsr.model.WeightTensor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains an ARM supernet as the official release does (ARM.md 2): per iteration one width drawn
 * with P ∝ FLOPs² ({@link WidthSampler}), a batch of random aligned 32/128 patches ({@link
 * TrainingSet}), the mean L1 loss on RGB [0, 1], and one Adam step ({@link Adam}) at the cosine
 * learning rate ({@link CosineSchedule}). The bicubic branch is never trained.
 *
 * <p>Exact resume: a checkpoint holds the weights, Adam's moments and step, and the iteration;
 * every iteration's randomness is a function of (seed, iteration) ({@link IterationRandom}), so a
 * run stopped at k and resumed gives the same weights as one that never stopped.
 *
 * <p>The data for the next step is prepared on the calling thread between steps, never concurrently
 * with libtorch's compute (docs/ENGINE.md: its spinning OpenMP threads make any concurrent Java
 * work very slow on 2 cores). Measured at batch 16 (FSRCNN, 1 libtorch thread): preparing a batch
 * takes 2-3 ms against a 32-40 ms step, so a prefetching thread could hide at most ~7%, and only
 * when libtorch leaves a core free; not worth its complexity.
 */
public final class Trainer {
  /** Software tag recorded in provenance. */
  static final String SOFTWARE = Software.NAME_AND_VERSION;

  /** Receives every finished iteration (tests, monitoring). */
  @FunctionalInterface
  public interface StepListener {
    void onStep(long iteration, int[] subnets, double loss, double lr);
  }

  /**
   * What a run did.
   *
   * @param firstIteration the first iteration this run trained
   * @param lastIteration the last iteration trained
   * @param lastLoss mean loss since the last log row
   * @param lastPsnr validation PSNR per width at the last validation (empty without one)
   * @param seconds wall time of the training loop
   * @param dataSeconds of which preparing batches
   * @param weights the weights after {@code lastIteration}
   */
  public record Result(
      long firstIteration,
      long lastIteration,
      double lastLoss,
      double[] lastPsnr,
      double seconds,
      double dataSeconds,
      StateDict weights) {}

  private final TrainConfig config;
  private final TrainingSet data;
  private final ValidationSet validation;
  private final String commandLine;
  private final List<TrainingProvenance> earlier;
  private final Progress progress;

  /** A run that continues none: from scratch or from official weights. */
  public Trainer(
      TrainConfig config,
      TrainingSet data,
      ValidationSet validation,
      String commandLine,
      PrintStream err,
      boolean terminal) {
    this(config, data, validation, commandLine, List.of(), err, terminal);
  }

  /**
   * @param validation may be null: the CSV then holds loss rows only
   * @param commandLine recorded in provenance
   * @param earlier recorded in provenance: the {@link TrainingProvenance#chain} of the checkpoint
   *     this run resumes or of the weights it starts from, oldest first
   * @param err progress and messages
   * @param terminal whether {@code err} is a terminal (progress rewritten in place)
   */
  public Trainer(
      TrainConfig config,
      TrainingSet data,
      ValidationSet validation,
      String commandLine,
      List<TrainingProvenance> earlier,
      PrintStream err,
      boolean terminal) {
    this.config = config;
    this.data = data;
    this.validation = validation;
    this.commandLine = commandLine;
    this.earlier = List.copyOf(earlier);
    this.progress = new Progress(err, terminal, config.logEvery());
  }

  /**
   * Trains from scratch (weights from {@link Supernets#initialise} with the seed) or from a
   * checkpoint, up to {@link TrainConfig#stopAt()}. Writes the checkpoint every {@code
   * checkpointEvery} iterations and at the stop, the final weights to {@code out} when the schedule
   * is complete, and a CSV row every {@code validateEvery} iterations and at the stop.
   *
   * @param resume a checkpoint (a weights file with a training section), or null
   * @param listener may be null
   * @throws IllegalArgumentException if the checkpoint belongs to a different configuration
   */
  public Result run(WeightsFile.Contents resume, StepListener listener) throws IOException {
    return run(resume, null, listener);
  }

  /**
   * As {@link #run(WeightsFile.Contents, StepListener)}, but a fresh run (no checkpoint) may start
   * from {@code init} instead of the seeded initialisation: a warm restart, with a fresh optimizer
   * and the whole schedule ahead.
   *
   * @param init starting weights of a fresh run, or null
   */
  public Result run(WeightsFile.Contents resume, StateDict init, StepListener listener)
      throws IOException {
    if (resume != null && init != null) {
      throw new IllegalArgumentException(
          "a run resumes a checkpoint or starts from weights, not both");
    }
    Backbone backbone = config.backbone();
    StateDict initial;
    TrainingState.AdamState adamState = null;
    long start = 0;
    if (resume != null) {
      TrainingState state = checkResumable(resume);
      initial = resume.weights();
      adamState = state.adam();
      start = state.iteration();
    } else {
      initial = init != null ? init : Supernets.initialise(backbone, config.seed());
    }
    trimLog(start);
    CosineSchedule schedule = config.schedule();
    WidthSampler sampler = new WidthSampler(backbone, config.sampler());
    try (NDManager manager = NDManager.newBaseManager();
        AbstractSupernet net = Supernets.create(backbone, initial, manager)) {
      Map<String, NDArray> params = net.parameters();
      params.values().forEach(p -> p.setRequiresGradient(true));
      try (Adam adam = new Adam(params, manager, adamState)) {
        return loop(start, net, adam, schedule, sampler, manager, listener);
      }
    }
  }

  private Result loop(
      long start,
      AbstractSupernet net,
      Adam adam,
      CosineSchedule schedule,
      WidthSampler sampler,
      NDManager manager,
      StepListener listener)
      throws IOException {
    int n = config.batch();
    Shape lrShape = new Shape(n, 3, TrainingSet.LR_PATCH, TrainingSet.LR_PATCH);
    Shape hrShape = new Shape(n, 3, TrainingSet.HR_PATCH, TrainingSet.HR_PATCH);
    long t0 = System.nanoTime();
    long dataNanos = 0;
    double intervalLoss = 0;
    long intervalCount = 0;
    double lastLoss = Double.NaN;
    double[] lastPsnr = new double[0];
    for (long i = start + 1; i <= config.stopAt(); i++) {
      long d0 = System.nanoTime();
      SplittableRandom random = IterationRandom.of(config.seed(), i);
      int[] subnets = sampler.draw(random);
      TrainingSet.Batch batch = data.sample(random, n);
      dataNanos += System.nanoTime() - d0;
      double lr = schedule.forIteration(i);
      double loss;
      try (NDScope scope = new NDScope()) {
        scope.suppressNotUsedWarning();
        NDArray x = channelsLast(manager, batch.lr(), lrShape);
        NDArray y = manager.create(batch.hr(), hrShape);
        NDArray total = null;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          for (int subnet : subnets) {
            // nn.L1Loss(): mean |SR - HR| over (N, 3, 128, 128).
            NDArray l = net.forward(x, subnet).sub(y).abs().mean();
            total = total == null ? l : total.add(l);
          }
          gc.backward(total);
        }
        adam.step(lr);
        loss = total.getFloat() / subnets.length;
      }
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException(
            "loss became " + loss + " at iteration " + i + " (learning rate too high?)");
      }
      if (listener != null) {
        listener.onStep(i, subnets, loss, lr);
      }
      intervalLoss += loss;
      intervalCount++;
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double rate = (i - start) / elapsed;
      boolean last = i == config.stopAt();
      progress.update(i, config.iterations(), intervalLoss / intervalCount, lr, rate, last);
      if (i % config.validateEvery() == 0 || last) {
        lastLoss = intervalLoss / intervalCount;
        lastPsnr = validation == null ? new double[0] : validation.psnrPerWidth(net, manager);
        appendLog(i, lastLoss, lr, elapsed, rate, lastPsnr);
        intervalLoss = 0;
        intervalCount = 0;
      }
      if (i % config.checkpointEvery() == 0 || last) {
        StateDict weights = weightsOf(net);
        TrainingProvenance prov = provenance(i, lastLoss, lastPsnr);
        WeightsFile.write(
            config.checkpointFile(), config.backbone(), weights, prov, state(i, adam));
        if (i == config.iterations()) {
          WeightsFile.write(config.out(), config.backbone(), weights, prov, null);
          progress.message("wrote " + config.out());
        }
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Result(
        start + 1, config.stopAt(), lastLoss, lastPsnr, seconds, dataNanos / 1e9, weightsOf(net));
  }

  private TrainingState checkResumable(WeightsFile.Contents resume) {
    Path ckpt = config.checkpointFile();
    TrainingState s =
        resume
            .training()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "the file to resume holds weights only, no optimizer state; resuming needs"
                            + " a checkpoint such as "
                            + ckpt.getFileName()));
    List<String> diff = new ArrayList<>();
    compare(diff, "backbone", resume.backbone().id(), config.backbone().id());
    compare(diff, "seed", s.seed(), config.seed());
    compare(diff, "sampler", s.sampler(), config.sampler().id());
    compare(diff, "batch size", s.batch(), config.batch());
    compare(diff, "iterations", s.iterations(), config.iterations());
    compare(diff, "learning rate", s.lr0(), config.lr0());
    if (!diff.isEmpty()) {
      throw new IllegalArgumentException(
          "the checkpoint to resume was trained with " + String.join(", ", diff));
    }
    if (s.iteration() >= config.stopAt()) {
      throw new IllegalArgumentException(
          "the checkpoint to resume is at iteration "
              + s.iteration()
              + ", nothing left to do up to "
              + config.stopAt());
    }
    return s;
  }

  private static void compare(List<String> diff, String setting, Object saved, Object given) {
    if (!saved.equals(given)) {
      diff.add(setting + " " + saved + " (given " + given + ")");
    }
  }

  private TrainingState state(long iteration, Adam adam) {
    return new TrainingState(
        iteration,
        config.seed(),
        config.sampler().id(),
        config.batch(),
        config.iterations(),
        config.lr0(),
        CosineSchedule.ETA_MIN,
        adam.state());
  }

  private TrainingProvenance provenance(long iteration, double loss, double[] psnr) {
    return new TrainingProvenance(
        commandLine,
        data.folders(),
        config.seed(),
        iteration,
        Instant.now().toString(),
        SOFTWARE,
        loss,
        psnr,
        earlier);
  }

  static StateDict weightsOf(AbstractSupernet net) {
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : net.parameters().entrySet()) {
      out.put(
          e.getKey(),
          new WeightTensor(e.getValue().getShape().getShape(), e.getValue().toFloatArray()));
    }
    return new StateDict(out);
  }

  private String header() {
    StringBuilder h = new StringBuilder("iteration,loss,lr,elapsed_s,iterations_per_s");
    for (int j = 1; j < Backbone.SUBNETS; j++) {
      h.append(",psnr_w").append(config.backbone().width(j));
    }
    return h.toString();
  }

  private void appendLog(
      long i, double loss, double lr, double elapsed, double rate, double[] psnr) {
    StringBuilder row =
        new StringBuilder(
            String.format(Locale.ROOT, "%d,%.6f,%.6e,%.1f,%.3f", i, loss, lr, elapsed, rate));
    for (int j = 0; j < Backbone.SUBNETS - 1; j++) {
      row.append(',');
      if (j < psnr.length) {
        row.append(String.format(Locale.ROOT, "%.4f", psnr[j]));
      }
    }
    Path log = config.logFile();
    try {
      // Rewritten whole and moved into place, like every file armsr writes: a kill never leaves a
      // torn row (the log is a few hundred rows at most).
      String before =
          Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : header() + "\n";
      AtomicFiles.write(log, (before + row + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + log + ": " + e.getMessage(), e);
    }
  }

  /**
   * Drops log rows after {@code iteration}: after a crash the CSV may run ahead of the checkpoint,
   * and the resumed run will write those rows again.
   */
  private void trimLog(long iteration) {
    Path log = config.logFile();
    if (!Files.exists(log)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      List<String> kept = new ArrayList<>();
      for (String line : lines) {
        String first = line.split(",", 2)[0];
        boolean row = !first.isEmpty() && first.chars().allMatch(Character::isDigit);
        if (!row || Long.parseLong(first) <= iteration) {
          kept.add(line);
        }
      }
      if (kept.size() != lines.size()) {
        AtomicFiles.write(log, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + log + ": " + e.getMessage(), e);
    }
  }

  /**
   * The (N, C, H, W) batch {@code nchw} as a channels-last view: an (N, H, W, C) array permuted to
   * (N, C, H, W). libtorch then runs every convolution of the forward and backward pass channels
   * last, which made a full-width FSRCNN step 1.23-1.29x faster on one thread (the same gradients
   * to 4e-7 relative; docs/BENCHMARKS.md).
   */
  static NDArray channelsLast(NDManager manager, float[] nchw, Shape shape) {
    int n = (int) shape.get(0);
    int c = (int) shape.get(1);
    int h = (int) shape.get(2);
    int w = (int) shape.get(3);
    float[] nhwc = new float[nchw.length];
    int plane = h * w;
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        int from = (b * c + ch) * plane;
        for (int p = 0, to = b * plane * c + ch; p < plane; p++, to += c) {
          nhwc[to] = nchw[from + p];
        }
      }
    }
    return manager.create(nhwc, new Shape(n, h, w, c)).transpose(0, 3, 1, 2);
  }
}
