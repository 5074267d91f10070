package io.armsr.imagefile;

/**
 * Edits to an EXIF block (a TIFF structure, {@link ImageMetadata#exif}) made in place on a copy, so
 * that everything else in it stays byte for byte: the orientation (tag 274 of IFD0) set to 1, and
 * the pixel dimensions set to the output's size (ImageWidth/ImageLength, tags 256/257 of IFD0, and
 * PixelXDimension/PixelYDimension, tags 0xA002/0xA003 of the EXIF IFD, each where present). A SHORT
 * dimension too large for 16 bits becomes a LONG (both fit the entry's inline value). Entries that
 * do not fit the block, or have another type or count, are left as they are.
 *
 * <p>Its {@code u16}/{@code u32}/{@code put16}/{@code put32} read and write the 16- and 32-bit
 * integers of TIFF structures (and of RIFF and PNG headers) in either byte order for the whole
 * package.
 */
final class ExifBlock {
  private ExifBlock() {}

  private static final int TAG_WIDTH = 256;
  private static final int TAG_LENGTH = 257;
  private static final int TAG_ORIENTATION = 274;
  private static final int TAG_EXIF_IFD = 34665;
  private static final int TAG_PIXEL_X = 0xA002;
  private static final int TAG_PIXEL_Y = 0xA003;
  private static final int SHORT = 3;
  private static final int LONG = 4;
  private static final int IFD = 13;

  /** A copy of {@code exif} with the orientation set to 1. */
  static byte[] withOrientation1(byte[] exif) {
    byte[] d = exif.clone();
    Boolean little = order(d);
    if (little != null) {
      long ifd0 = u32(d, 4, little);
      int e = find(d, ifd0, TAG_ORIENTATION, little);
      if (e >= 0 && u16(d, e + 2, little) == SHORT && u32(d, e + 4, little) == 1) {
        put16(d, e + 8, 1, little);
      }
    }
    return d;
  }

  /**
   * The orientation in IFD0 of {@code exif} (a SHORT 1..8), or 1 when it has none or cannot be
   * read: the pixels are still valid, only the hint is lost.
   */
  static int orientation(byte[] exif) {
    Boolean little = order(exif);
    if (little == null) {
      return 1;
    }
    int e = find(exif, u32(exif, 4, little), TAG_ORIENTATION, little);
    if (e < 0 || u16(exif, e + 2, little) != SHORT) {
      return 1;
    }
    int v = u16(exif, e + 8, little);
    return v >= 1 && v <= 8 ? v : 1;
  }

  /** A copy of {@code exif} with the pixel dimensions set to {@code width x height}. */
  static byte[] withSize(byte[] exif, int width, int height) {
    byte[] d = exif.clone();
    Boolean little = order(d);
    if (little == null) {
      return d;
    }
    long ifd0 = u32(d, 4, little);
    setDimension(d, find(d, ifd0, TAG_WIDTH, little), width, little);
    setDimension(d, find(d, ifd0, TAG_LENGTH, little), height, little);
    int p = find(d, ifd0, TAG_EXIF_IFD, little);
    if (p >= 0) {
      int type = u16(d, p + 2, little);
      if ((type == LONG || type == IFD) && u32(d, p + 4, little) == 1) {
        long exifIfd = u32(d, p + 8, little);
        setDimension(d, find(d, exifIfd, TAG_PIXEL_X, little), width, little);
        setDimension(d, find(d, exifIfd, TAG_PIXEL_Y, little), height, little);
      }
    }
    return d;
  }

  private static void setDimension(byte[] d, int e, int value, boolean little) {
    if (e < 0 || u32(d, e + 4, little) != 1) {
      return;
    }
    int type = u16(d, e + 2, little);
    if (type == SHORT && value <= 0xffff) {
      put16(d, e + 8, value, little);
      put16(d, e + 10, 0, little);
    } else if (type == SHORT || type == LONG) {
      put16(d, e + 2, LONG, little);
      put32(d, e + 8, value, little);
    }
  }

  /** The byte order of the TIFF header: true for II, false for MM, null for neither. */
  private static Boolean order(byte[] d) {
    if (d.length < 8) {
      return null;
    }
    if (d[0] == 'I' && d[1] == 'I') {
      return true;
    }
    if (d[0] == 'M' && d[1] == 'M') {
      return false;
    }
    return null;
  }

  /** The offset of the entry for {@code tag} in the IFD at {@code ifd}, or -1. */
  private static int find(byte[] d, long ifd, int tag, boolean little) {
    if (ifd < 8 || ifd + 2 > d.length) {
      return -1;
    }
    int count = u16(d, (int) ifd, little);
    for (int k = 0; k < count; k++) {
      long e = ifd + 2 + 12L * k;
      if (e + 12 > d.length) {
        return -1;
      }
      if (u16(d, (int) e, little) == tag) {
        return (int) e;
      }
    }
    return -1;
  }

  static int u16(byte[] d, int o, boolean little) {
    int a = d[o] & 0xff;
    int b = d[o + 1] & 0xff;
    return little ? a | b << 8 : a << 8 | b;
  }

  static long u32(byte[] d, int o, boolean little) {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int shift = little ? 8 * i : 8 * (3 - i);
      v |= (long) (d[o + i] & 0xff) << shift;
    }
    return v;
  }

  static void put16(byte[] d, int o, int v, boolean little) {
    d[o + (little ? 0 : 1)] = (byte) v;
    d[o + (little ? 1 : 0)] = (byte) (v >>> 8);
  }

  static void put32(byte[] d, int o, long v, boolean little) {
    for (int i = 0; i < 4; i++) {
      int shift = little ? 8 * i : 8 * (3 - i);
      d[o + i] = (byte) (v >>> shift);
    }
  }
}
