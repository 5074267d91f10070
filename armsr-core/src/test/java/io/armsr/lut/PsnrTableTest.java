package io.armsr.lut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import io.armsr.torch.OfficialCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PsnrTableTest {

  private static PsnrTable table() {
    double[] x = {5, 15, 25};
    return new PsnrTable(
        new double[][] {x, x}, new double[][] {{40, 30, 20}, {41, 32, 23}}, new double[] {0, 100});
  }

  @Test
  void predictsFromTheNearestBinCentre() {
    assertArrayEquals(new double[] {40, 41}, table().predict(0), 0);
    assertArrayEquals(new double[] {30, 32}, table().predict(14.9), 0);
    assertArrayEquals(new double[] {20, 23}, table().predict(1e9), 0);
    // 10 is equidistant from 5 and 15: numpy's argmin takes the lower index.
    assertArrayEquals(new double[] {40, 41}, table().predict(10), 0);
    assertArrayEquals(new double[] {30, 32}, table().predict(Math.nextUp(10.0)), 0);
  }

  @Test
  void rejectsMismatchedRows() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new PsnrTable(new double[][] {{1}}, new double[][] {{1}, {2}}, new double[] {0}));
  }

  /**
   * The per-bin decisions that ARM.md 4.4 derived from the stored official tables, bins 0..29 left
   * to right, evaluated at each bin centre.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "fsrcnn, best, 033333333333333333333333333333",
    "fsrcnn, 4, 022222333333333333333333333333",
    "fsrcnn, 1.5, 022222222222222222222222222233",
    "fsrcnn, 0.75, 011112222212111111111222222223",
    "carn, best, 033333333333333333333333333332",
    "carn, 4, 033333333333333333333333333332",
    "carn, 1.5, 012222333333333333333333333332",
    "carn, 1.3, 011212212221133313333333333332",
  })
  void officialTablesGiveTheSpecsDecisions(String backbone, String mode, String expected) {
    PsnrTable t =
        OfficialCheckpoint.readLut(Shared.require("reference/arm-net/arm-" + backbone + ".state"));
    RoutingMode.PerPatch m =
        mode.equals("best")
            ? new RoutingMode.Best()
            : new RoutingMode.Tradeoff(Double.parseDouble(mode));
    StringBuilder got = new StringBuilder();
    for (int bin = 0; bin < t.bins(); bin++) {
      got.append(m.choose(t.predict(t.binCentres()[0][bin]), t.costs()));
    }
    assertEquals(expected, got.toString());
  }
}
