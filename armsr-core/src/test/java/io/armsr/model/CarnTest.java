package io.armsr.model;

import static io.armsr.model.ModelTesting.assertMatches;
import static io.armsr.model.ModelTesting.image;
import static io.armsr.model.ModelTesting.input;
import static io.armsr.model.ModelTesting.randomImage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.armsr.model.NaiveReference.T;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CarnTest {

  @Test
  void everyWidthMatchesNaiveReferenceWithQuirksAndReadsOnlyItsPrefix() {
    StateDict sd = Supernets.initialise(Backbone.CARN, 21);
    Random r = new Random(4);
    int h = 8;
    int w = 8;
    float[] x = randomImage(r, 3 * h * w);
    try (NDManager m = NDManager.newBaseManager()) {
      for (int subnet = 1; subnet <= 3; subnet++) {
        int width = Backbone.CARN.width(subnet);
        NaiveReference ref = new NaiveReference(sd);
        T[] expected = {ref.carn(image(x, 0, 3, h, w), width)};
        try (AbstractSupernet net = Supernets.create(Backbone.CARN, ref.poisonUnused(), m)) {
          NDArray lr = input(m, x, 1, h, w);
          assertMatches(net.forward(lr, subnet), expected, 1e-4, "presliced w" + width);
          assertMatches(net.forwardFromParameters(lr, subnet), expected, 1e-4, "live w" + width);
        }
      }
    }
  }

  @Test
  void slimmedGroupedConvolutionReadsShiftedGroups() {
    // Width 36: W[:36, :9] with 4 groups of 9 inputs. Output 10 is in group 10 / 9 = 1 and reads
    // inputs 9..17 with W_full[10, 0..8]; in the full net the same weights read inputs 0..15 of
    // group 0 (10 / 16 = 0). The naive reference encodes the former (and the test above holds the
    // engine to it); here we check the reference reads exactly W[:36, :9] of a grouped weight.
    StateDict sd = Supernets.initialise(Backbone.CARN, 5);
    NaiveReference ref = new NaiveReference(sd);
    ref.carn(new T(3, 8, 8, randomImage(new Random(2), 192)), 36);
    boolean[] used = ref.p("b1.b1.body.0.weight").used;
    for (int row = 0; row < 64; row++) {
      for (int c = 0; c < 16; c++) {
        for (int k = 0; k < 9; k++) {
          assertEquals(row < 36 && c < 9, used[(row * 16 + c) * 9 + k], "W[" + row + "," + c + "]");
        }
      }
    }
  }
}
