package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.RoutingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One model and one engine shared by many threads: 8 threads run 240 upscales of mixed sizes,
 * routing modes (fixed, ARM's trade-off, best, FLOPs budget) and paths (whole image, streamed,
 * several modes at once, a group of small images) on the embedded default model at once, and every
 * result equals, float for float, the same upscale run sequentially beforehand on the same engine.
 * Run for both engines a caller may share: one that runs forward passes on the calling thread, and
 * one with its own pool of two workers that all callers' batches queue on.
 */
class SharedEngineConcurrencyTest {
  static final int THREADS = 8;
  static final int TASKS = 240;

  private static final List<RoutingMode> MODES =
      List.of(
          new RoutingMode.Fixed(0),
          new RoutingMode.Fixed(1),
          new RoutingMode.Fixed(3),
          new RoutingMode.Tradeoff(4),
          new RoutingMode.Tradeoff(1.5),
          new RoutingMode.Best(),
          new RoutingMode.Budget(0.3),
          new RoutingMode.Budget(0.7));

  /** One upscale: an image, a mode and a path through the engine. */
  private record Task(int id, Rgb8Image lr, RoutingMode mode, int path) {}

  /** What a task computes: every routing and every canvas sample. */
  private record Outcome(List<int[]> subnets, List<float[]> canvases) {}

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void everyConcurrentResultEqualsItsSequentialTwin() throws Exception {
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      for (int workers : new int[] {1, 2}) {
        Upscaler engine = new Upscaler(model, Upscaler.Options.defaults().withWorkers(workers));
        List<Task> tasks = tasks(new Random(17 + workers));
        List<Outcome> sequential = new ArrayList<>();
        for (Task t : tasks) {
          sequential.add(run(engine, t));
        }

        List<Task> shuffled = new ArrayList<>(tasks);
        Collections.shuffle(shuffled, new Random(5));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
          List<Future<Outcome>> futures = new ArrayList<>();
          for (Task t : shuffled) {
            futures.add(
                pool.submit(
                    () -> {
                      // As a server's request threads would: one libtorch thread each.
                      EngineThreads.set(1);
                      return run(engine, t);
                    }));
          }
          int distinctThreads = 0;
          for (int i = 0; i < shuffled.size(); i++) {
            Task t = shuffled.get(i);
            Outcome got = futures.get(i).get();
            Outcome want = sequential.get(t.id());
            String what = "workers " + workers + ", task " + t.id() + " " + describe(t);
            assertEquals(want.subnets().size(), got.subnets().size(), what);
            for (int k = 0; k < want.subnets().size(); k++) {
              assertArrayEquals(want.subnets().get(k), got.subnets().get(k), what);
              assertArrayEquals(want.canvases().get(k), got.canvases().get(k), what);
            }
            distinctThreads++;
          }
          assertEquals(TASKS, distinctThreads);
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  /** Sizes from 1x1 to a few hundred pixels, so some images have one patch and some many. */
  private static List<Task> tasks(Random r) {
    List<Task> out = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      int w = r.nextInt(8) == 0 ? 1 + r.nextInt(31) : 24 + r.nextInt(140);
      int h = r.nextInt(8) == 0 ? 1 + r.nextInt(31) : 24 + r.nextInt(120);
      out.add(
          new Task(
              i, texture(w, h, r.nextLong()), MODES.get(r.nextInt(MODES.size())), r.nextInt(4)));
    }
    return out;
  }

  /**
   * Paths: 0 whole image, 1 streamed in bands, 2 all modes at once, 3 as the middle image of a
   * group with two small others (batches shared across images).
   */
  private static Outcome run(Upscaler engine, Task t) {
    switch (t.path()) {
      case 0 -> {
        UpscaleResult r = engine.upscale(t.lr(), t.mode());
        return new Outcome(List.of(r.subnets()), List.of(r.canvas().data()));
      }
      case 1 -> {
        PlanarImage input = PlanarImage.fromRgb8(t.lr());
        PatchGrid grid = PatchGrid.of(engine.options().grid(), t.lr().width(), t.lr().height());
        int outW = grid.coveredWidth() * Backbone.SCALE;
        int outH = grid.coveredHeight() * Backbone.SCALE;
        float[] canvas = new float[3 * outH * outW];
        Upscaler.Routed routed =
            engine.upscaleStreaming(
                t.lr(),
                input,
                t.mode(),
                (y, row) -> {
                  for (int c = 0; c < 3; c++) {
                    System.arraycopy(row, c * outW, canvas, (c * outH + y) * outW, outW);
                  }
                });
        return new Outcome(List.of(routed.subnets()), List.of(canvas));
      }
      case 2 -> {
        List<int[]> subnets = new ArrayList<>();
        List<float[]> canvases = new ArrayList<>();
        for (UpscaleResult r : engine.upscale(t.lr(), MODES)) {
          subnets.add(r.subnets());
          canvases.add(r.canvas().data());
        }
        return new Outcome(subnets, canvases);
      }
      default -> {
        List<Rgb8Image> lrs =
            List.of(texture(40, 30, t.id()), t.lr(), texture(33, 64, 1000L + t.id()));
        List<PlanarImage> inputs = lrs.stream().map(PlanarImage::fromRgb8).toList();
        List<int[]> subnets = new ArrayList<>();
        List<float[]> canvases = new ArrayList<>();
        for (UpscaleResult r : engine.upscaleJoint(lrs, inputs, t.mode())) {
          subnets.add(r.subnets());
          canvases.add(r.canvas().data());
        }
        assertTrue(subnets.size() == 3);
        return new Outcome(subnets, canvases);
      }
    }
  }

  private static String describe(Task t) {
    return t.lr().width() + "x" + t.lr().height() + " " + t.mode().label() + " path " + t.path();
  }

  /** Smooth areas, edges and noise, so the routing modes choose different subnets per patch. */
  static Rgb8Image texture(int w, int h, long seed) {
    Random r = new Random(seed);
    byte[] px = new byte[w * h * 3];
    double fx = 0.05 + r.nextDouble() * 0.5;
    double fy = 0.05 + r.nextDouble() * 0.5;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        boolean flat = x < w / 3;
        for (int c = 0; c < 3; c++) {
          double v =
              flat
                  ? 90 + 20 * c
                  : 128 + 80 * Math.sin(fx * x + c) * Math.cos(fy * y) + r.nextGaussian() * 12;
          px[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
        }
      }
    }
    return new Rgb8Image(w, h, px);
  }
}
