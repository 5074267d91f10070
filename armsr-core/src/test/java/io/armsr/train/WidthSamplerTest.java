package io.armsr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.armsr.model.Backbone;
import io.armsr.train.WidthSampler.Kind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WidthSamplerTest {

  @Test
  void flopsSquaredProbabilitiesMatchTheSpec() {
    // ARM.md 2.4 [calc]
    assertArrayEquals(
        new double[] {0, 0.0602, 0.2797, 0.6601},
        new WidthSampler(Backbone.FSRCNN, Kind.FLOPS2).probabilities(),
        5e-5);
    assertArrayEquals(
        new double[] {0, 0.0697, 0.2871, 0.6432},
        new WidthSampler(Backbone.CARN, Kind.FLOPS2).probabilities(),
        5e-5);
    assertArrayEquals(
        new double[] {0, 0.0662, 0.2845, 0.6493},
        new WidthSampler(Backbone.SRRESNET, Kind.FLOPS2).probabilities(),
        5e-5);
  }

  @Test
  void flopsSquaredExactVector() {
    double f1 = 141_262_852.0;
    double f2 = 304_570_372.0;
    double f3 = 467_877_892.0;
    double sum = f1 * f1 + f2 * f2 + f3 * f3;
    assertArrayEquals(
        new double[] {0, f1 * f1 / sum, f2 * f2 / sum, f3 * f3 / sum},
        new WidthSampler(Backbone.FSRCNN, Kind.FLOPS2).probabilities(),
        1e-15);
  }

  @Test
  void drawFrequenciesFollowTheProbabilities() {
    WidthSampler s = new WidthSampler(Backbone.FSRCNN, Kind.FLOPS2);
    SplittableRandom r = new SplittableRandom(1);
    int n = 200_000;
    int[] counts = new int[4];
    for (int i = 0; i < n; i++) {
      int[] d = s.draw(r);
      assertEquals(1, d.length);
      counts[d[0]]++;
    }
    assertEquals(0, counts[0], "bicubic is never trained");
    // binomial sd <= sqrt(0.25 / n) = 0.0011; 0.005 is > 4 sd
    assertEquals(0.0602, counts[1] / (double) n, 0.005);
    assertEquals(0.2797, counts[2] / (double) n, 0.005);
    assertEquals(0.6601, counts[3] / (double) n, 0.005);
  }

  @Test
  void uniformAndSandwich() {
    assertArrayEquals(
        new double[] {0, 1 / 3.0, 1 / 3.0, 1 / 3.0},
        new WidthSampler(Backbone.CARN, Kind.UNIFORM).probabilities(),
        1e-15);
    WidthSampler s = new WidthSampler(Backbone.CARN, Kind.SANDWICH);
    SplittableRandom r = new SplittableRandom(2);
    int[] third = new int[4];
    for (int i = 0; i < 30_000; i++) {
      int[] d = s.draw(r);
      assertEquals(3, d.length);
      assertEquals(1, d[0]);
      assertEquals(3, d[1]);
      third[d[2]]++;
    }
    for (int j = 1; j <= 3; j++) {
      assertEquals(1 / 3.0, third[j] / 30_000.0, 0.015);
    }
  }

  @Test
  void fullDrawsOnlyTheFullWidth() {
    WidthSampler s = new WidthSampler(Backbone.FSRCNN, Kind.FULL);
    assertArrayEquals(new double[] {0, 0, 0, 1}, s.probabilities(), 0);
    SplittableRandom r = new SplittableRandom(4);
    for (int i = 0; i < 1000; i++) {
      assertArrayEquals(new int[] {3}, s.draw(r));
    }
  }

  @Test
  void parsesNames() {
    assertEquals(Kind.SANDWICH, Kind.parse("Sandwich"));
    assertEquals(Kind.FULL, Kind.parse("full"));
    assertThrows(IllegalArgumentException.class, () -> Kind.parse("flops"));
  }
}
