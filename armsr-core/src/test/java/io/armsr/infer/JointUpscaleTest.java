package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several small images upscaled together ({@link Upscaler#upscaleJoint}). */
class JointUpscaleTest {

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Patches of different sizes never share a batch; batches are filled across images. */
  @Test
  void batchesJoinImagesButNotPatchSizes() {
    // 60x40: 2 x 2 patches of 32x32; 20x40: 1 x 2 patches of 20x32; 100x40: 4 x 2 of 32x32.
    List<PatchGrid> grids =
        List.of(PatchGrid.full(60, 40), PatchGrid.full(20, 40), PatchGrid.full(100, 40));
    List<Batching.ImageRoutings> routed = new ArrayList<>();
    for (PatchGrid g : grids) {
      routed.add(
          new Batching.ImageRoutings(
              new int[][] {new int[g.size()]}, g.patchHeight(), g.patchWidth()));
    }
    List<Batching.Batch> plan = new Batching(Integer.MAX_VALUE, 5).plan(routed);
    // 32x32: 4 + 8 = 12 patches in batches of 5, 5, 2; 20x32: one batch of 2.
    assertEquals(4, plan.size());
    assertArrayEquals(new int[] {0, 0, 0, 0, 2}, ints(plan.get(0).images()));
    assertArrayEquals(new int[] {0, 1, 2, 3, 0}, ints(plan.get(0).patches()));
    assertArrayEquals(new int[] {2, 2, 2, 2, 2}, ints(plan.get(1).images()));
    assertArrayEquals(new int[] {1, 2, 3, 4, 5}, ints(plan.get(1).patches()));
    assertArrayEquals(new int[] {2, 2}, ints(plan.get(2).images()));
    assertArrayEquals(new int[] {1, 1}, ints(plan.get(3).images()));
    assertArrayEquals(new int[] {0, 1}, ints(plan.get(3).patches()));
  }

  /** Exactly the one-image results with a test double (any misplaced patch would show). */
  @Test
  void equalsOneImageUpscalesExactly() {
    int[][] sizes = {{1, 1}, {7, 300}, {31, 31}, {33, 47}, {120, 80}, {60, 40}};
    for (Grid g : List.of(Grid.FULL, Grid.REFERENCE)) {
      try (ArmModel model = ArmModel.of(new NearestSupernet(7), UpscalerTest.flatTable())) {
        Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(g));
        List<Rgb8Image> lrs = new ArrayList<>();
        for (int[] s : sizes) {
          if (g == Grid.FULL || (s[0] >= 32 && s[1] >= 32)) {
            lrs.add(UpscalerTest.randomImage(s[0], s[1], s[0] * 31L + s[1]));
          }
        }
        RoutingMode mode = new RoutingMode.Budget(0.5);
        List<UpscaleResult> joint = up.upscaleJoint(lrs, planar(lrs), mode);
        assertEquals(lrs.size(), joint.size());
        for (int i = 0; i < lrs.size(); i++) {
          UpscaleResult alone = up.upscale(lrs.get(i), mode);
          assertArrayEquals(alone.subnets(), joint.get(i).subnets(), g + " image " + i);
          assertArrayEquals(alone.canvas().data(), joint.get(i).canvas().data(), g + " " + i);
        }
      }
    }
  }

  /**
   * The real network on crops of a photograph, routed to a mixture of widths: the same images as
   * upscaling each alone, within the float rounding of other batch compositions, in channels-last
   * sub-pixel batches of up to 64.
   */
  @Test
  void realModelMatchesOneImageUpscales() throws IOException {
    Rgb8Image photo = ImageFiles.read(Shared.inRepo("examples/kodim23-lr.png"));
    List<Rgb8Image> lrs = new ArrayList<>();
    int[][] crops = {{0, 0, 120, 80}, {30, 20, 64, 40}, {100, 50, 31, 50}, {5, 9, 90, 61}};
    for (int[] c : crops) {
      lrs.add(photo.crop(c[0], c[1], c[2], c[3]));
    }
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      assertTrue(up.joinable(120, 80));
      assertFalse(up.joinable(300, 300));
      RoutingMode mode = new RoutingMode.Budget(0.6);
      List<UpscaleResult> joint = up.upscaleJoint(lrs, planar(lrs), mode);
      int mixed = 0;
      for (int i = 0; i < lrs.size(); i++) {
        UpscaleResult alone = up.upscale(lrs.get(i), mode);
        assertArrayEquals(alone.subnets(), joint.get(i).subnets());
        mixed += java.util.Arrays.stream(alone.subnets()).distinct().count() > 1 ? 1 : 0;
        float[] a = alone.canvas().data();
        float[] b = joint.get(i).canvas().data();
        double worst = 0;
        for (int k = 0; k < a.length; k++) {
          worst = Math.max(worst, Math.abs(a[k] - b[k]));
        }
        // On the 0..255 scale: 1e-5 of the [0, 1] range, the bound bench holds the engine to.
        assertTrue(worst <= 255e-5, "image " + i + " differs by " + worst);
      }
      assertTrue(mixed > 0, "some image routed to more than one subnet");
    }
  }

  private static List<PlanarImage> planar(List<Rgb8Image> lrs) {
    List<PlanarImage> out = new ArrayList<>();
    for (Rgb8Image lr : lrs) {
      out.add(PlanarImage.fromRgb8(lr));
    }
    return out;
  }
}
