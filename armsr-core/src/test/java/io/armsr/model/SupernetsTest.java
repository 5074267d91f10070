package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SupernetsTest {

  @Test
  void officialElementCounts() {
    // ARM.md 1.2-1.4 and the training logs: 24,515 / 294,171 (incl. 24 MeanShift) / 1,517,571.
    assertEquals(24_515, Supernets.initialise(Backbone.FSRCNN, 1).totalElements());
    assertEquals(294_171, Supernets.initialise(Backbone.CARN, 1).totalElements());
    assertEquals(1_517_571, Supernets.initialise(Backbone.SRRESNET, 1).totalElements());
    assertEquals(20, Supernets.expectedShapes(Backbone.FSRCNN).size());
    assertEquals(54, Supernets.expectedShapes(Backbone.CARN).size());
    assertEquals(74, Supernets.expectedShapes(Backbone.SRRESNET).size()); // 2 + 16*4 + 4*2
  }

  @ParameterizedTest
  @EnumSource(Backbone.class)
  void initialiseMatchesExpectedShapesAndIsSeeded(Backbone b) {
    StateDict sd = Supernets.initialise(b, 42);
    Map<String, long[]> shapes = Supernets.expectedShapes(b);
    assertEquals(shapes.keySet().stream().toList(), sd.keys().stream().toList());
    shapes.forEach((k, s) -> assertArrayEquals(s, sd.get(k).shape(), k));
    assertEquals(sd.tensors(), Supernets.initialise(b, 42).tensors());
    assertTrue(!sd.tensors().equals(Supernets.initialise(b, 43).tensors()));
    Supernets.validate(b, sd);
  }

  @Test
  void officialInitialisationPerBackbone() {
    StateDict f = Supernets.initialise(Backbone.FSRCNN, 1);
    assertArrayEquals(new float[] {0.25f}, f.get("body_conv.5.weight").data());
    assertArrayEquals(new float[12], f.get("body_conv.1.bias").data());
    // Kaiming-normal fan_in x 0.1: head fan_in 75 -> std 0.1 * sqrt(2/75) = 0.01633.
    assertEquals(0.1 * Math.sqrt(2.0 / 75), std(f.get("head_conv.0.weight").data()), 0.002);
    // ConvTranspose2d default: U(+-1/sqrt(3*81)) = U(+-0.0642), std = bound / sqrt 3 = 0.0370.
    float[] tail = f.get("tail_conv.weight").data();
    double bound = 1 / Math.sqrt(243);
    for (float v : tail) {
      assertTrue(Math.abs(v) <= bound);
    }
    assertEquals(bound / Math.sqrt(3), std(tail), 0.002);
    assertTrue(f.get("tail_conv.bias").data()[0] != 0);

    StateDict c = Supernets.initialise(Backbone.CARN, 1);
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, c.get("sub_mean.weight").data());
    assertArrayEquals(new float[] {-0.4488f, -0.4371f, -0.4040f}, c.get("sub_mean.bias").data());
    assertArrayEquals(new float[] {0.4488f, 0.4371f, 0.4040f}, c.get("add_mean.bias").data());
    // Grouped 3x3: fan_in = 16 * 9 = 144, bound 1/12 for weight and bias.
    for (float v : c.get("b2.b1.body.2.bias").data()) {
      assertTrue(Math.abs(v) <= 1 / 12.0);
    }
    assertEquals(1 / 12.0 / Math.sqrt(3), std(c.get("upsample.up.body.0.weight").data()), 0.002);

    StateDict s = Supernets.initialise(Backbone.SRRESNET, 1);
    assertEquals(0.1 * Math.sqrt(2.0 / 576), std(s.get("recon_trunk.3.conv1.weight").data()), 5e-4);
    assertArrayEquals(new float[256], s.get("upconv1.bias").data());
  }

  @Test
  void validationNamesTheOffendingKey() {
    StateDict good = Supernets.initialise(Backbone.FSRCNN, 1);
    Map<String, WeightTensor> missing = new LinkedHashMap<>(good.tensors());
    missing.remove("body_conv.3.bias");
    assertMessage("missing tensor 'body_conv.3.bias' for backbone fsrcnn", missing);

    Map<String, WeightTensor> extra = new LinkedHashMap<>(good.tensors());
    extra.put("module.tail_conv.weight", good.get("tail_conv.weight"));
    assertMessage("unexpected tensor 'module.tail_conv.weight' for backbone fsrcnn", extra);

    Map<String, WeightTensor> wrong = new LinkedHashMap<>(good.tensors());
    wrong.put("tail_conv.weight", new WeightTensor(new long[] {3, 56, 9, 9}, new float[56 * 243]));
    assertMessage(
        "tensor 'tail_conv.weight' has shape [3, 56, 9, 9], expected [56, 3, 9, 9] for backbone"
            + " fsrcnn",
        wrong);

    // CARN weights are not FSRCNN weights.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Supernets.validate(Backbone.FSRCNN, Supernets.initialise(Backbone.CARN, 1)));
    assertTrue(e.getMessage().startsWith("missing tensor 'head_conv.0.weight'"));
  }

  @Test
  void forwardRejectsBadInputAndSubnet() {
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 1), m)) {
      assertThrows(
          IllegalArgumentException.class,
          () -> net.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 1, 4, 4)), 1));
      assertThrows(
          IllegalArgumentException.class,
          () -> net.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 3, 4, 4)), 4));
      assertEquals(Backbone.FSRCNN, net.backbone());
      assertEquals(20, net.parameters().size());
    }
  }

  private static void assertMessage(String expected, Map<String, WeightTensor> tensors) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Supernets.create(Backbone.FSRCNN, new StateDict(tensors), null));
    assertEquals(expected, e.getMessage());
  }

  private static double std(float[] d) {
    double s = 0;
    double s2 = 0;
    for (float v : d) {
      s += v;
      s2 += (double) v * v;
    }
    double mean = s / d.length;
    return Math.sqrt(s2 / d.length - mean * mean);
  }
}
