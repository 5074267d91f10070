package io.armsr.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The arithmetic the supernets' convolutions run in.
 *
 * <ul>
 *   <li>{@link #FP32}: every layer in float32, as the official release (the default, and always the
 *       reference grid's);
 *   <li>{@link #BF16}: every convolution in bfloat16 (8-bit mantissa inputs and weights, float32
 *       accumulation in oneDNN), activations between layers stay float32;
 *   <li>{@link #AUTO}: bfloat16 only for the layers where it was measured to cost under 0.005 dB on
 *       Set14 and BSD100 ({@link AbstractSupernet#harmlessBf16Layers}), and only on a CPU with
 *       native bf16 arithmetic ({@link #cpuHasBf16}); float32 elsewhere.
 * </ul>
 *
 * <p>Reduced precision is a choice of the call, like the width: one supernet serves all three.
 */
public enum Precision {
  FP32,
  BF16,
  AUTO;

  /**
   * A regular expression of layer names that {@link #AUTO} runs in bf16 instead of each backbone's
   * measured set, on any CPU: for measuring the cost of candidate sets (docs/BENCHMARKS.md). A
   * supernet reads it when it first runs a width at auto.
   */
  public static final String AUTO_LAYERS_PROPERTY = "armsr.bf16.layers";

  private static final Pattern BF16_FLAGS = Pattern.compile("\\b(avx512_bf16|amx_bf16)\\b");
  private static volatile Boolean cpuHasBf16;

  /** The lower-case name used on the command line. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code fp32}, {@code bf16} or {@code auto}, any case. */
  public static Precision parse(String s) {
    for (Precision p : values()) {
      if (p.id().equalsIgnoreCase(s)) {
        return p;
      }
    }
    throw new IllegalArgumentException("precision must be fp32, bf16 or auto, got '" + s + "'");
  }

  /**
   * True if this machine's CPU has native bfloat16 dot products (the {@code avx512_bf16} or {@code
   * amx_bf16} flags of {@code /proc/cpuinfo}): there oneDNN runs bf16 convolutions at about twice
   * the float32 rate; elsewhere it emulates them, slower than float32.
   */
  public static boolean cpuHasBf16() {
    Boolean known = cpuHasBf16;
    if (known == null) {
      known = readCpuFlags(Path.of("/proc/cpuinfo"));
      cpuHasBf16 = known;
    }
    return known;
  }

  static boolean readCpuFlags(Path cpuinfo) {
    try {
      return Files.readAllLines(cpuinfo).stream()
          .filter(l -> l.startsWith("flags"))
          .anyMatch(l -> BF16_FLAGS.matcher(l).find());
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
