package io.armsr.torch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A numpy array as pickled by numpy's {@code ndarray.__reduce__} (the {@code hmap} arrays of a
 * {@code .state} file, ARM.md 7): its shape, its dtype string as numpy spells it ({@code <f8},
 * {@code >f4}, {@code <i8}, ...) and its raw bytes in C order. Only floating-point dtypes are
 * decoded; the others are kept so that an unrelated array elsewhere in a file does not stop the
 * reader, and fail when their values are asked for.
 */
public record NumpyArray(long[] shape, String dtype, byte[] raw) {

  public NumpyArray {
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    raw = raw.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public byte[] raw() {
    return raw.clone();
  }

  /** Number of elements: the product of the shape (1 for a 0-d array). */
  public long numel() {
    long n = 1;
    for (long d : shape) {
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "numpy array of shape " + Arrays.toString(shape) + " has too many elements", e);
      }
    }
    return n;
  }

  /**
   * The values in C order as doubles. {@code f4} values widen exactly.
   *
   * @throws IllegalArgumentException for a dtype other than {@code f4}/{@code f8} in either byte
   *     order, or raw bytes that do not match the shape
   */
  public double[] toDoubles() {
    int size = elementSize(dtype);
    ByteOrder order = byteOrder(dtype);
    long n = numel();
    if (n > raw.length || n * size != raw.length) {
      throw new IllegalArgumentException(
          "numpy array "
              + Arrays.toString(shape)
              + " of "
              + dtype
              + " needs "
              + (n > raw.length ? "more than " + raw.length : n * size)
              + " bytes, has "
              + raw.length);
    }
    ByteBuffer buf = ByteBuffer.wrap(raw).order(order);
    double[] out = new double[(int) n];
    for (int i = 0; i < out.length; i++) {
      out[i] = size == 8 ? buf.getDouble() : buf.getFloat();
    }
    return out;
  }

  private static int elementSize(String dtype) {
    return switch (dtype.substring(1)) {
      case "f8" -> 8;
      case "f4" -> 4;
      default ->
          throw new IllegalArgumentException(
              "numpy dtype '" + dtype + "' is not supported (only f4 and f8)");
    };
  }

  private static ByteOrder byteOrder(String dtype) {
    return switch (dtype.charAt(0)) {
      case '<' -> ByteOrder.LITTLE_ENDIAN;
      case '>' -> ByteOrder.BIG_ENDIAN;
      default ->
          throw new IllegalArgumentException("numpy dtype '" + dtype + "' has no byte order");
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NumpyArray a
        && dtype.equals(a.dtype)
        && Arrays.equals(shape, a.shape)
        && Arrays.equals(raw, a.raw);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, Arrays.hashCode(shape), Arrays.hashCode(raw));
  }

  @Override
  public String toString() {
    return "NumpyArray[" + dtype + " " + Arrays.toString(shape) + "]";
  }
}
