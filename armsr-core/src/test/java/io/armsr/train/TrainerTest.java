package io.armsr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.format.TrainingState;
import io.armsr.format.WeightsFile;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.testing.Synthetic;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static {
    OneThread.request();
  }

  private static TrainingSet data;
  private static ValidationSet validation;

  @TempDir Path dir;

  @BeforeAll
  static void data() {
    // 224 px: 0.6 x 224 = 134 >= 128, so every scale of the augmentation yields a pair.
    data = TrainingSet.fromImages("synthetic", Synthetic.images(3, 224, 232, 1));
    validation = ValidationSet.fromImages(Synthetic.images(1, 64, 48, 2));
  }

  private static TrainConfig config(Path out, long stopAt, WidthSampler.Kind sampler) {
    return config(out, 200, stopAt, sampler);
  }

  private static TrainConfig config(Path out, long total, long stopAt, WidthSampler.Kind sampler) {
    return new TrainConfig(
        Backbone.FSRCNN, total, 2, 1e-3, 42, sampler, out, 50, total / 2, 1000, stopAt);
  }

  private static Trainer trainer(TrainConfig c, ByteArrayOutputStream err) {
    return new Trainer(c, data, validation, "test", new PrintStream(err, true), false);
  }

  @Test
  void dataHasFivePairsPerImage() {
    assertEquals(15, data.pairs());
    TrainingSet.Batch b = data.sample(IterationRandom.of(1, 1), 4);
    assertEquals(4 * 3 * 32 * 32, b.lr().length);
    assertEquals(4 * 3 * 128 * 128, b.hr().length);
  }

  /** The acceptance test: 200 iterations straight vs 100 + stop + resume 100 (official rule). */
  @Test
  void stoppingAndResumingGivesTheSameWeightsAsOneRun() throws java.io.IOException {
    straightVersusResumed(WidthSampler.Kind.FLOPS2, 200);
  }

  /** The sandwich rule accumulates three backward passes: resume must be exact there too. */
  @Test
  void sandwichResumesExactly() throws java.io.IOException {
    straightVersusResumed(WidthSampler.Kind.SANDWICH, 40);
  }

  private void straightVersusResumed(WidthSampler.Kind kind, long total)
      throws java.io.IOException {
    long half = total / 2;
    {
      Path a = dir.resolve(kind.id() + "-straight.armw");
      Path b = dir.resolve(kind.id() + "-pieces.armw");
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      trainer(config(a, total, total, kind), err).run(null, null);

      trainer(config(b, total, half, kind), err).run(null, null);
      assertTrue(Files.exists(dir.resolve(b.getFileName() + ".ckpt")));
      assertTrue(!Files.exists(b), "the final weights are written only at the end of the schedule");
      WeightsFile.Contents ckpt = WeightsFile.read(dir.resolve(b.getFileName() + ".ckpt"));
      TrainingState s = ckpt.training().orElseThrow();
      assertEquals(half, s.iteration());
      assertEquals(half, s.adam().step());
      assertEquals(half, ckpt.provenance().iterations());
      trainer(config(b, total, total, kind), err).run(ckpt, null);

      StateDict straight = WeightsFile.read(a).weights();
      StateDict pieces = WeightsFile.read(b).weights();
      double maxDiff = 0;
      for (String key : straight.keys()) {
        float[] x = straight.get(key).data();
        float[] y = pieces.get(key).data();
        for (int i = 0; i < x.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]));
        }
      }
      System.out.println(kind.id() + ": max |straight - resumed| = " + maxDiff);
      assertTrue(maxDiff <= 1e-6, kind.id() + ": max difference " + maxDiff);

      // The CSV has rows at T/2 and T exactly once each, whatever the interruption.
      List<String> rows = Files.readAllLines(dir.resolve(b.getFileName() + ".csv"));
      assertEquals(
          "iteration,loss,lr,elapsed_s,iterations_per_s,psnr_w16,psnr_w36,psnr_w56", rows.get(0));
      assertEquals(3, rows.size(), rows.toString());
      assertTrue(rows.get(1).startsWith(half + ",") && rows.get(2).startsWith(total + ","));
      double[] psnr = WeightsFile.read(b).provenance().finalValidationPsnr();
      assertEquals(3, psnr.length);
      for (double p : psnr) {
        assertTrue(p > 5 && p < 60, "PSNR " + p);
      }
    }
  }

  @Test
  void lossFallsOnATinySet() throws Exception {
    List<Double> losses = new ArrayList<>();
    TrainConfig c =
        new TrainConfig(
            Backbone.FSRCNN,
            150,
            4,
            1e-3,
            7,
            WidthSampler.Kind.FLOPS2,
            dir.resolve("w.armw"),
            1000,
            1000,
            1000,
            150);
    new Trainer(c, data, null, "test", new PrintStream(new ByteArrayOutputStream()), false)
        .run(null, (i, subnets, loss, lr) -> losses.add(loss));
    assertEquals(150, losses.size());
    double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(140, 150).stream().mapToDouble(d -> d).average().orElseThrow();
    System.out.printf("loss: first 10 %.4f, last 10 %.4f%n", first, last);
    assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
  }

  @Test
  void resumeRefusesADifferentConfiguration() throws Exception {
    Path out = dir.resolve("x.armw");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    trainer(config(out, 5, WidthSampler.Kind.FLOPS2), err).run(null, null);
    WeightsFile.Contents ckpt = WeightsFile.read(dir.resolve("x.armw.ckpt"));
    TrainConfig other =
        new TrainConfig(
            Backbone.FSRCNN, 200, 2, 1e-3, 43, WidthSampler.Kind.FLOPS2, out, 50, 100, 1000, 200);
    var e = assertThrows(IllegalArgumentException.class, () -> trainer(other, err).run(ckpt, null));
    assertTrue(e.getMessage().contains("trained with seed 42 (given 43)"), e.getMessage());
    WeightsFile.Contents weightsOnly =
        new WeightsFile.Contents(
            ckpt.backbone(), ckpt.weights(), ckpt.provenance(), java.util.Optional.empty());
    assertThrows(
        IllegalArgumentException.class,
        () -> trainer(config(out, 200, WidthSampler.Kind.FLOPS2), err).run(weightsOnly, null));
  }

  @Test
  void aWarmRestartStartsFromTheGivenWeights() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path first = dir.resolve("first.armw");
    trainer(config(first, 4, 4, WidthSampler.Kind.FLOPS2), err).run(null, null);
    StateDict start = WeightsFile.read(first).weights();
    // Two Adam steps of about 1e-7 each barely move the weights: the result is the start,
    // not the seeded initialisation it would be without --init.
    Path second = dir.resolve("second.armw");
    TrainConfig tiny =
        new TrainConfig(
            Backbone.FSRCNN, 2, 2, 1e-7, 7, WidthSampler.Kind.FLOPS2, second, 50, 1, 1000, 2);
    trainer(tiny, err).run(null, start, null);
    StateDict after = WeightsFile.read(second).weights();
    StateDict seeded = io.armsr.model.Supernets.initialise(Backbone.FSRCNN, 7);
    double fromStart = 0;
    double fromSeeded = 0;
    for (String key : start.keys()) {
      float[] a = start.get(key).data();
      float[] b = after.get(key).data();
      float[] c = seeded.get(key).data();
      for (int i = 0; i < a.length; i++) {
        fromStart = Math.max(fromStart, Math.abs(a[i] - b[i]));
        fromSeeded = Math.max(fromSeeded, Math.abs(c[i] - b[i]));
      }
    }
    assertTrue(fromStart < 1e-6, "moved " + fromStart + " from the given weights");
    assertTrue(fromSeeded > 1e-3, "equal to the seeded initialisation: " + fromSeeded);
    WeightsFile.Contents ckpt = WeightsFile.read(dir.resolve("first.armw.ckpt"));
    assertThrows(IllegalArgumentException.class, () -> trainer(tiny, err).run(ckpt, start, null));
  }

  @Test
  void configChecksItself() {
    Path out = dir.resolve("w");
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TrainConfig(
                Backbone.FSRCNN, 10, 0, 1e-3, 1, WidthSampler.Kind.FLOPS2, out, 1, 1, 1, 10));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TrainConfig(
                Backbone.FSRCNN, 10, 2, 1e-3, 1, WidthSampler.Kind.FLOPS2, out, 1, 1, 1, 11));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new TrainConfig(
                Backbone.FSRCNN, 10, 2, -1, 1, WidthSampler.Kind.FLOPS2, out, 1, 1, 1, 10));
    assertEquals(1e-3, TrainConfig.defaultLearningRate(Backbone.FSRCNN));
    assertEquals(2e-4, TrainConfig.defaultLearningRate(Backbone.CARN));
    assertArrayEquals(new int[] {0, 16, 36, 56}, Backbone.FSRCNN.widths());
  }

  @Test
  void theChannelsLastBatchHoldsTheSameTensor() {
    float[] nchw = new float[2 * 3 * 4 * 5];
    for (int i = 0; i < nchw.length; i++) {
      nchw[i] = i;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = Trainer.channelsLast(m, nchw, new Shape(2, 3, 4, 5));
      assertArrayEquals(new long[] {2, 3, 4, 5}, x.getShape().getShape());
      // Element (b, c, y, x) of the view is nchw[((b * 3 + c) * 4 + y) * 5 + x].
      assertArrayEquals(nchw, x.toFloatArray());
      assertEquals(1 * 60 + 2 * 20 + 3 * 5 + 4, x.getFloat(1, 2, 3, 4));
    }
  }
}
