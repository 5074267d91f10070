package io.armsr.imagefile;

/**
 * Limits checked while reading an image, before its pixels are decoded.
 *
 * @param maxPixels the largest width * height accepted; the dimensions come from the file's header,
 *     so a small file that declares a huge image (a decompression bomb) is refused before any
 *     memory is allocated for it
 * @param limitName what the limit is, named in the error message; an application names its own
 *     setting here (the command line passes {@code --max-pixels})
 * @param headerCheck run on the header once the pixel limit is passed, before decoding (an
 *     application refuses there what it could not process, such as an upscale that would not fit
 *     its heap); null for none
 */
public record ReadLimits(long maxPixels, String limitName, ImageHeader.Check headerCheck) {

  /** 100 megapixels: a 10000 x 10000 photo, about 300 MB as 8-bit RGB. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  /** The name of a limit made by {@link #ofMaxPixels}. */
  public static final String PIXEL_LIMIT = "the pixel limit";

  /** The default limit, {@value #DEFAULT_MAX_PIXELS} pixels. */
  public static final ReadLimits DEFAULT = ofMaxPixels(DEFAULT_MAX_PIXELS);

  /** Limits without a header check. */
  public ReadLimits(long maxPixels, String limitName) {
    this(maxPixels, limitName, null);
  }

  /** These limits with {@code check} run on every header before decoding. */
  public ReadLimits withHeaderCheck(ImageHeader.Check check) {
    return new ReadLimits(maxPixels, limitName, check);
  }

  public ReadLimits {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("the pixel limit must be at least 1, got " + maxPixels);
    }
    if (limitName == null || limitName.isBlank()) {
      throw new IllegalArgumentException("the limit needs a name");
    }
  }

  /** A limit of {@code maxPixels} named {@value #PIXEL_LIMIT}. */
  public static ReadLimits ofMaxPixels(long maxPixels) {
    return new ReadLimits(maxPixels, PIXEL_LIMIT);
  }
}
