package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.model.NaiveReference.Param;
import io.armsr.model.NaiveReference.T;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * bf16 convolutions ({@link Bf16Kernels}) against the plain reference convolution of the same
 * operands rounded to bf16, and the layer sets of {@link Precision}.
 */
class ReducedPrecisionTest {

  /** Round to nearest even, to bf16's 8-bit mantissa: what {@code tensor.to(bfloat16)} does. */
  static float bf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    bits += 0x7FFF + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(bits & 0xFFFF0000);
  }

  /** One bf16 unit in the last place at {@code f}. */
  static double bf16Ulp(float f) {
    return Math.ulp(f) * 65536.0;
  }

  private static float[] rounded(float[] v) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = bf16(v[i]);
    }
    return r;
  }

  private static float[] gaussian(Random r, int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextGaussian() * scale);
    }
    return v;
  }

  @ParameterizedTest(name = "{0} -> {1} channels, {2}x{2}, {3} groups")
  @CsvSource({"5, 4, 3, 1", "8, 6, 3, 2", "12, 48, 3, 1", "6, 3, 1, 1", "3, 16, 5, 1"})
  void bf16ConvolutionIsThePlainConvolutionOfRoundedOperands(int in, int out, int k, int groups) {
    Random r = new Random(in * 31L + out);
    int n = 2;
    int h = 9;
    int w = 11;
    int pad = k / 2;
    float[] x = gaussian(r, n * in * h * w, 1);
    float[] weight = gaussian(r, out * (in / groups) * k * k, 0.3);
    float[] bias = gaussian(r, out, 0.5);
    try (NDManager m = NDManager.newBaseManager();
        Bf16Kernels kernels = new Bf16Kernels(m)) {
      NDArray xa = m.create(x, new Shape(n, in, h, w));
      NDArray wa = m.create(weight, new Shape(out, in / groups, k, k));
      NDArray ba = m.create(bias, new Shape(out));
      float[] got =
          kernels.conv(xa, kernels.toBf16(wa), kernels.toBf16(ba), pad, groups).toFloatArray();
      float[] fp32 = Ops.conv(xa, wa, ba, pad, groups).toFloatArray();

      Param wp = new Param(new WeightTensor(new long[] {out, in / groups, k, k}, rounded(weight)));
      Param bp = new Param(new WeightTensor(new long[] {out}, rounded(bias)));
      float[] xr = rounded(x);
      double worstUlps = 0;
      double fromFp32 = 0;
      for (int i = 0; i < n; i++) {
        T ref =
            NaiveReference.conv(
                ModelTesting.image(xr, i, in, h, w), wp, bp, out, in / groups, k, pad, groups);
        for (int j = 0; j < ref.d().length; j++) {
          float exact = ref.d()[j];
          float g = got[i * ref.d().length + j];
          // oneDNN accumulates in fp32 and rounds the sum to bf16 once: within one bf16 unit of
          // the double-precision sum's own rounding (an accumulation-order tie may flip it).
          worstUlps = Math.max(worstUlps, Math.abs(g - bf16(exact)) / bf16Ulp(exact));
          fromFp32 = Math.max(fromFp32, Math.abs(g - fp32[i * ref.d().length + j]));
        }
      }
      assertTrue(worstUlps <= 1.0, "bf16 conv off the rounded reference by " + worstUlps + " ulp");
      // Teeth: the result really is bf16, not the fp32 convolution.
      assertTrue(fromFp32 > 1e-3, "bf16 conv equals fp32 within " + fromFp32);
    }
  }

  @Test
  void layerSetsPerPrecision() {
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 3), m)) {
      Set<String> all =
          Set.of(
              "head_conv.0",
              "body_conv.0.0",
              "body_conv.1",
              "body_conv.2",
              "body_conv.3",
              "body_conv.4",
              "body_conv.6.0",
              "tail_conv");
      assertEquals(all, net.convolutions());
      assertEquals(Set.of(), net.bf16Layers(Precision.FP32));
      assertEquals(all, net.bf16Layers(Precision.BF16));
      assertEquals(
          Precision.cpuHasBf16() ? Set.of("body_conv.6.0", "tail_conv") : Set.of(),
          net.bf16Layers(Precision.AUTO));
      String before = System.getProperty(Precision.AUTO_LAYERS_PROPERTY);
      try {
        System.setProperty(Precision.AUTO_LAYERS_PROPERTY, "body_conv\\.[1-4]");
        assertEquals(
            Set.of("body_conv.1", "body_conv.2", "body_conv.3", "body_conv.4"),
            net.bf16Layers(Precision.AUTO));
      } finally {
        if (before == null) {
          System.clearProperty(Precision.AUTO_LAYERS_PROPERTY);
        } else {
          System.setProperty(Precision.AUTO_LAYERS_PROPERTY, before);
        }
      }
    }
  }

  @Test
  void bf16ForwardStaysCloseToFp32AndTrainingStaysFp32() {
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 5), m)) {
      NDArray x = m.randomUniform(0, 1, new Shape(2, 3, 20, 20));
      float[] fp32 = net.forward(x, 3, Precision.FP32).toFloatArray();
      float[] bf16 = net.forward(x, 3, Precision.BF16).toFloatArray();
      float[] live = net.forwardFromParameters(x, 3).toFloatArray();
      double worst = 0;
      double scale = 0;
      for (int i = 0; i < fp32.length; i++) {
        worst = Math.max(worst, Math.abs(fp32[i] - bf16[i]));
        scale = Math.max(scale, Math.abs(fp32[i]));
        assertEquals(fp32[i], live[i], 1e-6f);
      }
      // bf16 keeps 8 significant bits: errors of a few parts in a thousand of the output range.
      double relative = worst / scale;
      assertTrue(relative > 1e-4 && relative < 0.03, "bf16 against fp32: " + relative);
      // Parameters with gradients (training) run fp32 whatever is asked.
      net.parameters().values().forEach(p -> p.setRequiresGradient(true));
      float[] training = net.forward(x, 3, Precision.BF16).toFloatArray();
      for (int i = 0; i < fp32.length; i++) {
        assertEquals(fp32[i], training[i], 1e-6f);
      }
    }
  }

  @Test
  void precisionNamesAndCpuFlags(@TempDir Path dir) throws IOException {
    assertEquals(Precision.BF16, Precision.parse("BF16"));
    assertEquals(Precision.AUTO, Precision.parse("auto"));
    assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"));
    Path amd = dir.resolve("amd");
    Files.writeString(amd, "processor\t: 0\nflags\t\t: fpu avx512f avx512_bf16 avx512vl\n");
    Path intel = dir.resolve("intel");
    Files.writeString(intel, "flags\t\t: fpu avx512f amx_bf16 amx_tile\n");
    Path old = dir.resolve("old");
    Files.writeString(old, "flags\t\t: fpu avx2 avx512f avx512_bf16x\n");
    assertTrue(Precision.readCpuFlags(amd));
    assertTrue(Precision.readCpuFlags(intel));
    assertFalse(Precision.readCpuFlags(old));
    assertFalse(Precision.readCpuFlags(dir.resolve("absent")));
  }
}
