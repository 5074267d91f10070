package io.armsr.imagefile;

import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF orientation of a JPEG (TIFF tag 274, values 1..8) and the transform that shows the
 * stored pixels as the camera meant them to be seen.
 *
 * <p>The APP1 segment is found with TwelveMonkeys' segment reader; the one tag is then read from
 * IFD0 here rather than by parsing the whole EXIF tree, because a damaged tree can declare entry
 * counts that a general reader would allocate for. An EXIF block that cannot be read is treated as
 * orientation 1 (as stored): the pixels are still valid, only the hint is lost.
 */
final class ExifOrientation {
  private ExifOrientation() {}

  private static final int TAG_ORIENTATION = 274;

  /**
   * The orientation of the JPEG in {@code stream}, read from its start; the stream is left at
   * position 0. Returns 1 when there is no EXIF block or it cannot be read.
   */
  static int read(ImageInputStream stream) throws IOException {
    stream.mark();
    try {
      List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(stream, JPEG.APP1, "Exif");
      if (segments.isEmpty()) {
        return 1;
      }
      byte[] data;
      try (InputStream in = segments.get(0).data()) {
        data = in.readAllBytes();
      }
      // data() starts after "Exif\0"; a second NUL pads the identifier before the TIFF header.
      return parseTiff(data, data.length > 0 && data[0] == 0 ? 1 : 0);
    } catch (IOException | RuntimeException e) {
      return 1;
    } finally {
      stream.reset();
    }
  }

  /** The orientation tag of IFD0 of the TIFF structure at {@code base}, or 1. */
  static int parseTiff(byte[] d, int base) {
    if (d.length < base + 8) {
      return 1;
    }
    boolean little;
    if (d[base] == 'I' && d[base + 1] == 'I') {
      little = true;
    } else if (d[base] == 'M' && d[base + 1] == 'M') {
      little = false;
    } else {
      return 1;
    }
    long ifd = base + ExifBlock.u32(d, base + 4, little);
    if (ifd + 2 > d.length) {
      return 1;
    }
    int count = ExifBlock.u16(d, (int) ifd, little);
    for (int k = 0; k < count; k++) {
      long e = ifd + 2 + 12L * k;
      if (e + 12 > d.length) {
        return 1;
      }
      int tag = ExifBlock.u16(d, (int) e, little);
      int type = ExifBlock.u16(d, (int) e + 2, little);
      if (tag == TAG_ORIENTATION) {
        int v = type == 3 ? ExifBlock.u16(d, (int) e + 8, little) : -1; // SHORT, value inline
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
    return 1;
  }

  /** Whether {@code orientation} swaps width and height (the 90-degree turns, 5..8). */
  static boolean swapsAxes(int orientation) {
    return orientation >= 5;
  }

  /**
   * The index of the stored pixel shown at displayed (x, y), for a stored image of {@code sw} x
   * {@code sh} (EXIF 2.3, tag 274: 6 = the stored image is turned 90 degrees clockwise to show it,
   * 8 = 90 counter-clockwise, 3 = 180, 2/4 = mirrored, 5/7 = transposed).
   */
  static int source(int orientation, int x, int y, int sw, int sh) {
    int sx;
    int sy;
    switch (orientation) {
      case 2 -> {
        sx = sw - 1 - x;
        sy = y;
      }
      case 3 -> {
        sx = sw - 1 - x;
        sy = sh - 1 - y;
      }
      case 4 -> {
        sx = x;
        sy = sh - 1 - y;
      }
      case 5 -> {
        sx = y;
        sy = x;
      }
      case 6 -> {
        sx = y;
        sy = sh - 1 - x;
      }
      case 7 -> {
        sx = sw - 1 - y;
        sy = sh - 1 - x;
      }
      case 8 -> {
        sx = sw - 1 - y;
        sy = x;
      }
      default -> {
        sx = x;
        sy = y;
      }
    }
    return sy * sw + sx;
  }
}
