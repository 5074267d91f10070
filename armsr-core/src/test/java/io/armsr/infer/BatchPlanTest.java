package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.model.Supernet;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The engine's run loops follow {@link Batching#plan}, the plan the time model counts batches from:
 * every forward pass is recorded and compared with it, on both paths.
 */
class BatchPlanTest {

  /** {@link NearestSupernet} that records the subnet and size of every forward pass. */
  private static final class Recording implements Supernet {
    final NearestSupernet inner = new NearestSupernet(0);
    final List<String> calls = new ArrayList<>();

    @Override
    public Backbone backbone() {
      return inner.backbone();
    }

    @Override
    public NDArray forward(NDArray lr, int subnet) {
      calls.add(subnet + "x" + lr.getShape().get(0));
      return inner.forward(lr, subnet);
    }

    @Override
    public void close() {}
  }

  private static List<String> calls(List<Batching.Batch> plan) {
    return plan.stream().map(b -> b.subnet() + "x" + b.windows().size()).toList();
  }

  private static int[] random(Random r, int n) {
    int[] out = new int[n];
    for (int p = 0; p < n; p++) {
      // Runs of one subnet with others sprinkled in, as real routings look.
      out[p] = r.nextInt(3) == 0 ? r.nextInt(Backbone.SUBNETS) : (p / 7) % Backbone.SUBNETS;
    }
    return out;
  }

  @Test
  void theLoopsRunThePlannedBatches() {
    Random r = new Random(3);
    Recording net = new Recording();
    try (ArmModel model = ArmModel.of(net, UpscalerTest.flatTable())) {
      for (int batch : new int[] {1, 3, 32}) {
        Upscaler up = new Upscaler(model, new Upscaler.Options(Grid.FULL, 4, batch));
        Rgb8Image lr = UpscalerTest.randomImage(230, 150, batch);
        PatchGrid grid = PatchGrid.full(230, 150);
        int n = grid.size();
        int[] a = random(r, n);
        int[] b = random(r, n);

        net.calls.clear();
        up.upscale(lr, List.of(new RoutingMode.Given(a), new RoutingMode.Given(b)));
        List<String> whole = calls(up.plan(grid, Batching.Path.WHOLE, new int[][] {a, b}));
        assertEquals(whole, net.calls, "whole image, two modes, batch " + batch);

        net.calls.clear();
        up.upscaleStreaming(lr, PlanarImage.fromRgb8(lr), new RoutingMode.Given(a), (y, row) -> {});
        assertEquals(
            calls(up.plan(grid, Batching.Path.STREAMING, new int[][] {a})),
            net.calls,
            "streaming, batch " + batch);
        // The two paths do batch differently, so the comparison can tell them apart.
        assertNotEquals(calls(up.plan(grid, Batching.Path.WHOLE, new int[][] {a})), net.calls);
      }
    }
  }
}
