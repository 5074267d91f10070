package io.armsr.testing;

import io.armsr.image.Rgb8Image;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Small synthetic photographs: smooth colour gradients, a few sharp rectangles and mild noise (for
 * the trainer's tests and the training benchmark).
 */
public final class Synthetic {
  private Synthetic() {}

  public static List<Rgb8Image> images(int count, int width, int height, long seed) {
    Random r = new Random(seed);
    List<Rgb8Image> out = new ArrayList<>();
    for (int n = 0; n < count; n++) {
      double[] f = {r.nextDouble() * 0.1, r.nextDouble() * 0.1, r.nextDouble() * 0.1};
      int[][] rects = new int[4][];
      for (int i = 0; i < rects.length; i++) {
        rects[i] =
            new int[] {
              r.nextInt(width),
              r.nextInt(height),
              10 + r.nextInt(60),
              10 + r.nextInt(60),
              r.nextInt(256)
            };
      }
      byte[] px = new byte[width * height * 3];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          for (int c = 0; c < 3; c++) {
            double v = 128 + 80 * Math.sin(f[c] * x + 0.7 * c) * Math.cos(f[(c + 1) % 3] * y);
            for (int[] q : rects) {
              if (x >= q[0] && x < q[0] + q[2] && y >= q[1] && y < q[1] + q[3]) {
                v = (v + q[4]) / 2;
              }
            }
            v += r.nextGaussian() * 2;
            px[(y * width + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v)));
          }
        }
      }
      out.add(new Rgb8Image(width, height, px));
    }
    return out;
  }
}
