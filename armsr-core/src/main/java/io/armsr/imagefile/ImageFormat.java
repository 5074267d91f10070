package io.armsr.imagefile;

import java.nio.file.Path;

/** The formats armsr writes, chosen by a file's extension. */
public enum ImageFormat {
  PNG("png", true, true),
  JPEG("jpeg", false, false),
  BMP("bmp", false, false),
  TIFF("tiff", true, true);

  /** The ImageIO format name. */
  final String imageIoName;

  /** Whether the format keeps an alpha channel; for the others alpha is dropped with a warning. */
  public final boolean alpha;

  /** Whether the format keeps 16-bit samples; for the others they are rounded to 8 bits. */
  public final boolean sixteenBit;

  ImageFormat(String imageIoName, boolean alpha, boolean sixteenBit) {
    this.imageIoName = imageIoName;
    this.alpha = alpha;
    this.sixteenBit = sixteenBit;
  }

  /**
   * The format for writing {@code file}: {@code .png}, {@code .jpg}/{@code .jpeg}, {@code .bmp},
   * {@code .tif}/{@code .tiff} (case-insensitive).
   *
   * @throws IllegalArgumentException naming the file for any other extension (WebP is read-only)
   */
  public static ImageFormat forOutput(Path file) {
    String ext = ImageExtensions.of(file);
    switch (ext) {
      case "png":
        return PNG;
      case "jpg":
      case "jpeg":
        return JPEG;
      case "bmp":
        return BMP;
      case "tif":
      case "tiff":
        return TIFF;
      case "webp":
        throw new IllegalArgumentException(
            "cannot write image "
                + file
                + ": WebP is read-only in armsr (write .png, .jpg, .jpeg, .bmp, .tif or .tiff)");
      default:
        throw new IllegalArgumentException(
            "cannot write image "
                + file
                + ": "
                + (ext.isEmpty() ? "no extension" : "unknown extension '." + ext + "'")
                + " (use .png, .jpg, .jpeg, .bmp, .tif or .tiff)");
    }
  }
}
