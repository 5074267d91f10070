package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The full grid with the official weights: outputs exactly 4x the input for awkward sizes, and no
 * seams: a flat input comes back flat within 2 levels everywhere, borders included. (In the
 * reference grid the same weights deviate by up to 24 levels near patch edges, because each patch
 * is convolved with zero padding.)
 */
class FullGridOfficialTest {

  static final int[][] SIZES = {{1, 1}, {7, 300}, {31, 31}, {33, 47}, {200, 117}};
  static final int[][] COLOURS = {{128, 128, 128}, {200, 40, 90}, {12, 230, 180}, {255, 255, 255}};

  static Rgb8Image flat(int w, int h, int[] rgb) {
    byte[] px = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      for (int c = 0; c < 3; c++) {
        px[i * 3 + c] = (byte) rgb[c];
      }
    }
    return new Rgb8Image(w, h, px);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fsrcnn", "carn"})
  void flatInputsComeBackFlatAtExactly4x(String backbone) {
    Backbone b = Backbone.parse(backbone);
    try (ArmModel model =
        ArmModel.load(
            b,
            Shared.require("reference/arm-net/arm-" + backbone + ".pth"),
            Shared.require("reference/arm-net/arm-" + backbone + ".state"))) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      List<RoutingMode> modes =
          List.of(
              new RoutingMode.Fixed(1),
              new RoutingMode.Fixed(2),
              new RoutingMode.Fixed(3),
              new RoutingMode.Tradeoff(4));
      int worst = 0;
      for (int[] size : SIZES) {
        for (int[] colour : COLOURS) {
          Rgb8Image lr = flat(size[0], size[1], colour);
          for (UpscaleResult r : up.upscale(lr, modes)) {
            Rgb8Image out = r.image();
            assertEquals(4 * size[0], out.width());
            assertEquals(4 * size[1], out.height());
            for (int y = 0; y < out.height(); y++) {
              for (int x = 0; x < out.width(); x++) {
                for (int c = 0; c < 3; c++) {
                  worst = Math.max(worst, Math.abs(out.get(x, y, c) - colour[c]));
                }
              }
            }
          }
        }
      }
      System.out.printf(
          "%s full grid: worst deviation on flat inputs = %d levels%n", backbone, worst);
      assertTrue(worst <= 2, backbone + ": a flat input deviates by " + worst + " levels");

      // The check has teeth: without context (the reference grid's zero-padded patches) the same
      // weights leave visible seams on the same kind of input.
      Upscaler reference =
          new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      int seams = 0;
      for (int[] colour : COLOURS) {
        Rgb8Image out = reference.upscale(flat(200, 117, colour), new RoutingMode.Fixed(3)).image();
        for (int y = 0; y < out.height(); y++) {
          for (int x = 0; x < out.width(); x++) {
            for (int c = 0; c < 3; c++) {
              seams = Math.max(seams, Math.abs(out.get(x, y, c) - colour[c]));
            }
          }
        }
      }
      System.out.printf(
          "%s reference grid: worst deviation on the same input = %d levels%n", backbone, seams);
      assertTrue(seams > 2, backbone + ": expected seams in the reference grid, got " + seams);
    }
  }
}
