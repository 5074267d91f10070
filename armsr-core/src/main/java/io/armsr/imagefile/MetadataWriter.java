package io.armsr.imagefile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Puts an {@link ImageMetadata} into an encoded PNG, JPEG or TIFF ({@link #tiff}), by inserting
 * chunks or segments into the bytes the ImageIO writer produced (the pixels' encoding is
 * untouched):
 *
 * <ul>
 *   <li>PNG: {@code iCCP} (profile name "ICC profile", zlib), {@code eXIf} and an uncompressed
 *       {@code iTXt} with keyword {@code XML:com.adobe.xmp}, right after {@code IHDR}; with an ICC
 *       profile the writer's own {@code sRGB}, {@code gAMA} and {@code cHRM} chunks are removed, as
 *       the PNG specification asks;
 *   <li>JPEG: APP1 {@code Exif\0\0}, APP1 {@code http://ns.adobe.com/xap/1.0/\0} and APP2 {@code
 *       ICC_PROFILE} (split over as many segments as needed, at most 255) after the JFIF APP0
 *       segment, or after SOI when there is none. A JPEG segment holds at most 65,533 bytes, so
 *       EXIF over 65,527 bytes and XMP over 65,502 bytes (extended XMP is not written) are dropped
 *       with a warning.
 * </ul>
 *
 * <p>An ICC profile whose colour space does not match the output (an RGB profile on a gray output
 * or the reverse) is dropped with a warning. The EXIF pixel dimensions are set to the output's size
 * ({@link ExifBlock#withSize}).
 */
final class MetadataWriter {
  private MetadataWriter() {}

  static final int JPEG_MAX_EXIF = 65533 - 6;
  static final int JPEG_MAX_XMP = 65533 - 29;
  private static final int JPEG_ICC_PART = 65533 - 14;
  private static final Set<String> COLOUR_CHUNKS = Set.of("iCCP", "sRGB", "gAMA", "cHRM");

  /** The blocks that fit {@code image}'s output, with the EXIF dimensions updated. */
  static ImageMetadata forOutput(
      DecodedImage image, ImageFormat format, String file, List<String> warnings) {
    ImageMetadata m = image.metadata();
    byte[] icc = m.icc();
    if (icc != null && !iccMatches(icc, image.gray())) {
      warnings.add(
          file
              + ": the input's ICC profile is not for "
              + (image.gray() ? "gray" : "RGB")
              + " images; ICC profile dropped");
      icc = null;
    }
    byte[] exif =
        m.exif() == null ? null : ExifBlock.withSize(m.exif(), image.width(), image.height());
    byte[] xmp = m.xmp();
    if (format == ImageFormat.JPEG) {
      if (exif != null && exif.length > JPEG_MAX_EXIF) {
        warnings.add(tooBig(file, "EXIF block", exif.length, JPEG_MAX_EXIF));
        exif = null;
      }
      if (xmp != null && xmp.length > JPEG_MAX_XMP) {
        warnings.add(tooBig(file, "XMP packet", xmp.length, JPEG_MAX_XMP));
        xmp = null;
      }
      if (icc != null && icc.length > 255L * JPEG_ICC_PART) {
        warnings.add(tooBig(file, "ICC profile", icc.length, 255 * JPEG_ICC_PART));
        icc = null;
      }
    }
    if (format == ImageFormat.TIFF && exif != null) {
      try {
        TiffExif.parse(exif);
      } catch (IOException e) {
        warnings.add(
            file
                + ": the EXIF block cannot be moved into TIFF tags ("
                + e.getMessage()
                + ");"
                + " EXIF dropped");
        exif = null;
      }
    }
    return new ImageMetadata(icc, exif, xmp, List.of());
  }

  private static String tooBig(String file, String what, int size, int max) {
    return String.format(
        "%s: %s of %,d bytes does not fit a JPEG (at most %,d); %s dropped",
        file, what, size, max, what);
  }

  /** Whether the profile's colour space (header bytes 16..19) suits a gray or an RGB image. */
  private static boolean iccMatches(byte[] icc, boolean gray) {
    if (icc.length < 20) {
      return false;
    }
    String space = new String(icc, 16, 4, StandardCharsets.ISO_8859_1);
    return gray ? space.equals("GRAY") : space.equals("RGB ");
  }

  // ---------------------------------------------------------------------------------------- PNG

  static byte[] png(byte[] encoded, ImageMetadata m) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 1024);
    out.write(encoded, 0, 8);
    int p = 8;
    boolean inserted = false;
    while (p + 12 <= encoded.length) {
      int size = (int) ExifBlock.u32(encoded, p, false);
      String type = new String(encoded, p + 4, 4, StandardCharsets.ISO_8859_1);
      int end = p + 12 + size;
      if (size < 0 || end > encoded.length) {
        throw new IOException("the PNG writer produced a malformed chunk");
      }
      if (!(m.icc() != null && COLOUR_CHUNKS.contains(type))) {
        out.write(encoded, p, end - p);
      }
      if (type.equals("IHDR") && !inserted) {
        inserted = true;
        if (m.icc() != null) {
          ByteArrayOutputStream d = new ByteArrayOutputStream();
          d.write("ICC profile\0".getBytes(StandardCharsets.ISO_8859_1));
          d.write(0); // compression method: zlib
          d.write(deflate(m.icc()));
          pngChunk(out, "iCCP", d.toByteArray());
        }
        if (m.exif() != null) {
          pngChunk(out, "eXIf", m.exif());
        }
        if (m.xmp() != null) {
          ByteArrayOutputStream d = new ByteArrayOutputStream();
          d.write((MetadataReader.XMP_KEYWORD + "\0").getBytes(StandardCharsets.ISO_8859_1));
          d.write(new byte[] {0, 0, 0, 0}); // uncompressed, method, no language, no translation
          d.write(m.xmp());
          pngChunk(out, "iTXt", d.toByteArray());
        }
      }
      p = end;
    }
    if (p != encoded.length || !inserted) {
      throw new IOException("the PNG writer produced an unexpected layout");
    }
    return out.toByteArray();
  }

  private static void pngChunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
    put32(out, data.length);
    out.write(t, 0, 4);
    out.write(data, 0, data.length);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    put32(out, (int) crc.getValue());
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    try {
      deflater.setInput(data);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
      byte[] buf = new byte[64 << 10];
      while (!deflater.finished()) {
        out.write(buf, 0, deflater.deflate(buf));
      }
      return out.toByteArray();
    } finally {
      deflater.end();
    }
  }

  // --------------------------------------------------------------------------------------- JPEG

  static byte[] jpeg(byte[] encoded, ImageMetadata m) throws IOException {
    if (encoded.length < 4 || (encoded[0] & 0xff) != 0xff || (encoded[1] & 0xff) != 0xd8) {
      throw new IOException("the JPEG writer produced no SOI marker");
    }
    int p = 2;
    if ((encoded[2] & 0xff) == 0xff && (encoded[3] & 0xff) == 0xe0 && encoded.length >= 6) {
      p = 4 + ((encoded[4] & 0xff) << 8 | (encoded[5] & 0xff));
      if (p > encoded.length) {
        throw new IOException("the JPEG writer produced a malformed APP0 segment");
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 1024);
    out.write(encoded, 0, p);
    if (m.exif() != null) {
      jpegSegment(out, 0xe1, MetadataReader.JPEG_EXIF, m.exif(), 0, m.exif().length);
    }
    if (m.xmp() != null) {
      jpegSegment(out, 0xe1, MetadataReader.JPEG_XMP, m.xmp(), 0, m.xmp().length);
    }
    if (m.icc() != null) {
      byte[] icc = m.icc();
      int parts = Math.max(1, (icc.length + JPEG_ICC_PART - 1) / JPEG_ICC_PART);
      for (int k = 0; k < parts; k++) {
        byte[] head = new byte[14];
        System.arraycopy(MetadataReader.JPEG_ICC, 0, head, 0, 12);
        head[12] = (byte) (k + 1);
        head[13] = (byte) parts;
        int from = k * JPEG_ICC_PART;
        jpegSegment(out, 0xe2, head, icc, from, Math.min(icc.length, from + JPEG_ICC_PART));
      }
    }
    out.write(encoded, p, encoded.length - p);
    return out.toByteArray();
  }

  private static void jpegSegment(
      ByteArrayOutputStream out, int marker, byte[] head, byte[] data, int from, int to) {
    int length = 2 + head.length + (to - from);
    out.write(0xff);
    out.write(marker);
    out.write(length >>> 8);
    out.write(length & 0xff);
    out.write(head, 0, head.length);
    out.write(data, from, to - from);
  }

  // --------------------------------------------------------------------------------------- TIFF

  /**
   * {@code encoded} (a TIFF) with the ICC profile as tag 34675 and the XMP packet as tag 700 (both
   * UNDEFINED, 7) in its first IFD, and the EXIF block's entries and sub-IFDs ({@link
   * TiffExif#placeInTiff}): the blocks are appended at the end of the file, followed by a copy of
   * the first IFD with the entries added (sorted by tag, replacing any the writer put there), and
   * the header is pointed at the copy. The strips and all other entries are untouched.
   */
  static byte[] tiff(byte[] encoded, ImageMetadata m) throws IOException {
    if (encoded.length < 8
        || !((encoded[0] == 'I' && encoded[1] == 'I')
            || (encoded[0] == 'M' && encoded[1] == 'M'))) {
      throw new IOException("the TIFF writer produced no TIFF header");
    }
    boolean little = encoded[0] == 'I';
    long ifd = ExifBlock.u32(encoded, 4, little);
    if (ExifBlock.u16(encoded, 2, little) != 42 || ifd < 8 || ifd > encoded.length - 2L) {
      throw new IOException("the TIFF writer produced an unexpected header");
    }
    int count = ExifBlock.u16(encoded, (int) ifd, little);
    long end = ifd + 2 + 12L * count + 4;
    if (end > encoded.length) {
      throw new IOException("the TIFF writer produced a truncated IFD");
    }
    java.util.TreeMap<Integer, byte[]> entries = new java.util.TreeMap<>();
    for (int k = 0; k < count; k++) {
      int e = (int) ifd + 2 + 12 * k;
      entries.put(
          ExifBlock.u16(encoded, e, little), java.util.Arrays.copyOfRange(encoded, e, e + 12));
    }
    byte[] next = java.util.Arrays.copyOfRange(encoded, (int) end - 4, (int) end);
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length + 1024);
    out.write(encoded, 0, encoded.length);
    if (m.icc() != null) {
      entries.put(
          MetadataReader.TIFF_ICC, tiffBlock(out, MetadataReader.TIFF_ICC, m.icc(), little));
    }
    if (m.xmp() != null) {
      entries.put(
          MetadataReader.TIFF_XMP, tiffBlock(out, MetadataReader.TIFF_XMP, m.xmp(), little));
    }
    if (m.exif() != null) {
      align(out);
      TiffExif.Placed exif = TiffExif.placeInTiff(TiffExif.parse(m.exif()), little, out.size());
      out.write(exif.appended(), 0, exif.appended().length);
      entries.putAll(exif.entries());
    }
    align(out);
    long newIfd = out.size();
    tiff16(out, entries.size(), little);
    for (byte[] e : entries.values()) {
      out.write(e, 0, 12);
    }
    out.write(next, 0, 4);
    byte[] bytes = out.toByteArray();
    if (newIfd > 0xffffffffL || bytes.length < 0) {
      throw new IOException("the TIFF output is over 4 GB");
    }
    byte[] at = new byte[4];
    ExifBlock.put32(at, 0, newIfd, little);
    System.arraycopy(at, 0, bytes, 4, 4);
    return bytes;
  }

  /** Appends {@code data} (word aligned) to {@code out}; the UNDEFINED entry pointing at it. */
  private static byte[] tiffBlock(ByteArrayOutputStream out, int tag, byte[] data, boolean little) {
    byte[] e = new byte[12];
    ExifBlock.put16(e, 0, tag, little);
    ExifBlock.put16(e, 2, 7, little);
    ExifBlock.put32(e, 4, data.length, little);
    if (data.length <= 4) {
      System.arraycopy(data, 0, e, 8, data.length);
    } else {
      align(out);
      ExifBlock.put32(e, 8, out.size(), little);
      out.write(data, 0, data.length);
    }
    return e;
  }

  private static void align(ByteArrayOutputStream out) {
    if ((out.size() & 1) != 0) {
      out.write(0);
    }
  }

  private static void tiff16(ByteArrayOutputStream out, int v, boolean little) {
    byte[] b = new byte[2];
    ExifBlock.put16(b, 0, v, little);
    out.write(b, 0, 2);
  }

  private static void put32(ByteArrayOutputStream out, int v) {
    out.write(v >>> 24);
    out.write(v >>> 16);
    out.write(v >>> 8);
    out.write(v);
  }
}
