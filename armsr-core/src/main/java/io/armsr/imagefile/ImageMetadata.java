package io.armsr.imagefile;

import java.util.List;

/**
 * The metadata armsr carries from an input file to its output: the ICC colour profile, the EXIF
 * block and the XMP packet, each as raw bytes or null. The pixels are never colour-converted; the
 * profile travels so that viewers show the output in the same colours as the input.
 *
 * <ul>
 *   <li>{@code icc}: the ICC profile as stored (PNG {@code iCCP} inflated, JPEG {@code APP2
 *       ICC_PROFILE} segments joined, WebP {@code ICCP}, TIFF tag 34675);
 *   <li>{@code exif}: a TIFF structure (starting {@code II} or {@code MM}) as in a JPEG {@code APP1
 *       Exif} segment after its 6-byte identifier, a PNG {@code eXIf} chunk or a WebP {@code EXIF}
 *       chunk, or rebuilt from a TIFF's own EXIF tags ({@link TiffExif}); when the orientation was
 *       applied on read its tag already says 1, and the pixel dimensions are set to the output's
 *       size when written ({@link ExifBlock});
 *   <li>{@code xmp}: the XMP packet, UTF-8, as stored;
 *   <li>{@code notes}: what was dropped on read (a block over its bound or damaged), one line each,
 *       reported as warnings when the image is written.
 * </ul>
 *
 * <p>Every block is bounded on read, so a small hostile file cannot cost gigabytes: an ICC profile
 * at most {@link #MAX_ICC} bytes (inflated), EXIF at most {@link #MAX_EXIF}, XMP at most {@link
 * #MAX_XMP} (inflated). A block over its bound is dropped with a note, never an error.
 *
 * <p>The arrays are owned by the record and must not be changed.
 */
public record ImageMetadata(byte[] icc, byte[] exif, byte[] xmp, List<String> notes) {

  /** The largest ICC profile kept: 16 MiB. */
  public static final int MAX_ICC = 16 << 20;

  /** The largest EXIF block kept: 1 MiB (a JPEG holds at most 65,527 bytes of it). */
  public static final int MAX_EXIF = 1 << 20;

  /** The largest XMP packet kept: 4 MiB (a JPEG holds at most 65,502 bytes of it). */
  public static final int MAX_XMP = 4 << 20;

  /** No metadata. */
  public static final ImageMetadata NONE = new ImageMetadata(null, null, null, List.of());

  public ImageMetadata {
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** Whether there is no block and no note. */
  public boolean isEmpty() {
    return icc == null && exif == null && xmp == null && notes.isEmpty();
  }

  /** Whether there is at least one block to write. */
  public boolean hasBlocks() {
    return icc != null || exif != null || xmp != null;
  }

  public ImageMetadata withExif(byte[] newExif) {
    return new ImageMetadata(icc, newExif, xmp, notes);
  }
}
