package io.armsr.imagefile;

import java.nio.file.Path;

/**
 * What an image file's header says, before its pixels are decoded: enough to tell what decoding and
 * upscaling it will cost ({@link ReadLimits#headerCheck}).
 *
 * @param file the file
 * @param format the format ImageIO named (PNG, JPEG, BMP, TIFF, WEBP)
 * @param width the width as displayed, after the EXIF orientation (a 90-degree turn swaps the
 *     stored width and height)
 * @param height the height as displayed
 * @param bitDepth 16 for 16-bit samples, else 8 (as read: a file of 1..8 bits reads as 8)
 * @param alpha whether the image has an alpha channel, as far as the header says
 */
public record ImageHeader(
    Path file, String format, int width, int height, int bitDepth, boolean alpha) {

  /** A check of a header that throws, naming the file, when its pixels must not be decoded. */
  @FunctionalInterface
  public interface Check {
    void check(ImageHeader header) throws ImageReadException;
  }
}
