package io.armsr.imagefile;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * An image stream that shows the bytes of another with a few of them replaced, so that a decoder
 * does not see a damaged field it would otherwise fail on. armsr uses it to hide a TIFF's ICC
 * profile entry whose value cannot be read (it points past the end of the file): both TIFF readers
 * refuse the whole image for it, though the pixels are intact. Its field type is shown as 0, which
 * TIFF readers skip as unknown, so the entries keep their order.
 */
final class PatchedInput extends FilteredInput {
  private final long at;
  private final byte[] patch;

  /** {@code in} with the bytes from {@code at} on shown as {@code patch}. */
  PatchedInput(ImageInputStream in, long at, byte[] patch) throws IOException {
    super(in);
    this.at = at;
    this.patch = patch.clone();
  }

  @Override
  protected void filter(byte[] b, int off, int n, long from) {
    long start = Math.max(from, at);
    long end = Math.min(from + n, at + patch.length);
    for (long p = start; p < end; p++) {
      b[off + (int) (p - from)] = patch[(int) (p - at)];
    }
  }
}
