package io.armsr.imagefile;

/**
 * The EXIF orientation (TIFF tag 274, values 1..8) of an EXIF block ({@link ImageMetadata#exif},
 * from a JPEG, PNG, WebP or TIFF) and the transform that shows the stored pixels as the camera
 * meant them to be seen. The one tag is read from IFD0 here rather than by parsing the whole EXIF
 * tree. An orientation that cannot be read is treated as 1 (as stored): the pixels are still valid,
 * only the hint is lost.
 */
final class ExifOrientation {
  private ExifOrientation() {}

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
