package io.armsr.model;

import static io.armsr.model.ModelTesting.assertMatches;
import static io.armsr.model.ModelTesting.image;
import static io.armsr.model.ModelTesting.input;
import static io.armsr.model.ModelTesting.randomImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.armsr.model.NaiveReference.T;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SrResNetTest {

  @Test
  void outputShapeAtEveryWidth() {
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.SRRESNET, Supernets.initialise(Backbone.SRRESNET, 1), m)) {
      NDArray lr = input(m, randomImage(new Random(1), 2 * 3 * 6 * 5), 2, 6, 5);
      for (int subnet = 0; subnet <= 3; subnet++) {
        NDArray out = net.forward(lr, subnet);
        assertArrayEquals(new long[] {2, 3, 24, 20}, out.getShape().getShape());
        for (float v : out.toFloatArray()) {
          assertTrue(Float.isFinite(v));
        }
      }
    }
  }

  @Test
  void everyWidthMatchesNaiveReferenceAndReadsOnlyItsPrefix() {
    StateDict sd = FsrcnnTest.randomised(Supernets.initialise(Backbone.SRRESNET, 3), 8);
    int h = 5;
    int w = 4;
    float[] x = randomImage(new Random(6), 3 * h * w);
    try (NDManager m = NDManager.newBaseManager()) {
      for (int subnet = 1; subnet <= 3; subnet++) {
        int width = Backbone.SRRESNET.width(subnet);
        NaiveReference ref = new NaiveReference(sd);
        T[] expected = {ref.srresnet(image(x, 0, 3, h, w), width)};
        try (AbstractSupernet net = Supernets.create(Backbone.SRRESNET, ref.poisonUnused(), m)) {
          NDArray lr = input(m, x, 1, h, w);
          assertMatches(net.forward(lr, subnet), expected, 1e-4, "presliced w" + width);
          assertMatches(net.forwardFromParameters(lr, subnet), expected, 1e-4, "live w" + width);
        }
      }
    }
  }
}
