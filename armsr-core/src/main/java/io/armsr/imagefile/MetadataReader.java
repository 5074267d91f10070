package io.armsr.imagefile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the ICC profile, EXIF block and XMP packet ({@link ImageMetadata}) straight from the bytes
 * of a PNG, JPEG, WebP or TIFF file (for a TIFF, the block is built from its tags, {@link
 * TiffExif}), without the ImageIO readers' metadata trees (which inflate every text chunk in full).
 * Only the chunks or segments that hold them are read, each within its bound ({@link
 * ImageMetadata#MAX_ICC} etc.); compressed data is inflated only up to the bound, so a profile that
 * would inflate to gigabytes costs a few milliseconds. What is over its bound or damaged is dropped
 * with a note. Other formats have no metadata here.
 */
final class MetadataReader {
  private MetadataReader() {}

  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10};
  static final String XMP_KEYWORD = "XML:com.adobe.xmp";
  static final byte[] JPEG_EXIF = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
  static final byte[] JPEG_XMP =
      "http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1);
  static final byte[] JPEG_ICC = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);

  /** At most this many chunks or segments are looked at (a guard against files made of them). */
  private static final int MAX_BLOCKS = 100_000;

  /**
   * The metadata of {@code file}, whose format ImageIO named {@code format} (PNG, JPEG, WEBP, ...).
   * Never fails: an unreadable structure gives what was found before it.
   */
  static ImageMetadata read(Path file, String format) {
    return readAll(file, format).metadata();
  }

  /**
   * What {@link #read} found, and {@code unreadableTiffIcc}: the file offset of the first-IFD entry
   * of a TIFF's ICC profile when the profile was dropped (its value over the bound or past the end
   * of the file), else -1. Both TIFF pixel readers refuse the image over such an entry; {@link
   * ImageFiles} hides it from them ({@link PatchedInput}).
   */
  record Result(ImageMetadata metadata, long unreadableTiffIcc) {}

  /** {@link #read}, with the offset of an unreadable TIFF profile entry ({@link Result}). */
  static Result readAll(Path file, String format) {
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      return readAll(in, format);
    } catch (IOException | RuntimeException e) {
      return new Result(ImageMetadata.NONE, -1); // unreadable: the image reader says why
    }
  }

  /**
   * {@link #readAll(Path, String)} for an image held in {@code in} (a file, or bytes in memory),
   * read from its start; {@code in} must know its {@link ImageInputStream#length length}.
   */
  static Result readAll(ImageInputStream in, String format) {
    Found found = new Found();
    try {
      in.seek(0);
      switch (format) {
        case "PNG" -> readPng(in, found);
        case "JPEG" -> readJpeg(in, found);
        case "WEBP" -> readWebp(in, found);
        case "TIFF", "TIF" -> readTiff(in, found);
        default -> {
          return new Result(found.metadata(), found.unreadableTiffIcc);
        }
      }
    } catch (IOException | RuntimeException e) {
      // A damaged structure: the pixels are read (or refused) by the image reader; keep what was
      // found.
    }
    return new Result(found.metadata(), found.unreadableTiffIcc);
  }

  private static final class Found {
    byte[] icc;
    byte[] exif;
    byte[] xmp;
    final List<String> notes = new ArrayList<>();
    long unreadableTiffIcc = -1;

    ImageMetadata metadata() {
      return icc == null && exif == null && xmp == null && notes.isEmpty()
          ? ImageMetadata.NONE
          : new ImageMetadata(icc, exif, xmp, notes);
    }

    void drop(String what, String why) {
      notes.add(what + " dropped (" + why + ")");
    }
  }

  // ---------------------------------------------------------------------------------------- PNG

  private static void readPng(ImageInputStream in, Found found) throws IOException {
    byte[] sig = new byte[8];
    in.readFully(sig);
    if (!Arrays.equals(sig, PNG_SIGNATURE)) {
      return;
    }
    long length = in.length();
    for (int n = 0; n < MAX_BLOCKS && in.getStreamPosition() + 12 <= length; n++) {
      long size = in.readInt() & 0xffffffffL;
      byte[] type = new byte[4];
      in.readFully(type);
      String t = new String(type, StandardCharsets.ISO_8859_1);
      long dataAt = in.getStreamPosition();
      if (size > length - dataAt - 4) {
        return; // truncated; the image reader reports it
      }
      switch (t) {
        case "iCCP" -> {
          if (found.icc == null) {
            byte[] data = chunk(in, type, size, ImageMetadata.MAX_ICC, "PNG iCCP", found);
            if (data != null) {
              int z = nul(data, 80);
              if (z < 1 || z + 2 > data.length || data[z + 1] != 0) {
                found.drop("ICC profile", "malformed PNG iCCP chunk");
              } else {
                found.icc = inflate(data, z + 2, ImageMetadata.MAX_ICC, "ICC profile", found);
              }
            }
          }
        }
        case "eXIf" -> {
          if (found.exif == null) {
            byte[] data = chunk(in, type, size, ImageMetadata.MAX_EXIF, "EXIF block", found);
            if (data != null) {
              found.exif = data;
            }
          }
        }
        case "iTXt" -> {
          if (found.xmp == null && size > XMP_KEYWORD.length()) {
            byte[] key = new byte[XMP_KEYWORD.length() + 1];
            in.readFully(key);
            if (new String(key, StandardCharsets.ISO_8859_1).equals(XMP_KEYWORD + "\0")) {
              in.seek(dataAt);
              // The chunk holds the packet, perhaps compressed, plus a few header bytes.
              byte[] data =
                  chunk(in, type, size, ImageMetadata.MAX_XMP + 1024, "XMP packet", found);
              if (data != null) {
                found.xmp = itxtText(data, found);
              }
            }
          }
        }
        case "IEND" -> {
          return;
        }
        default -> {}
      }
      in.seek(dataAt + size + 4);
    }
  }

  /**
   * The data of the chunk whose data starts at the file pointer, CRC checked; null, with a note,
   * when it is over {@code bound} or its CRC is wrong.
   */
  private static byte[] chunk(
      ImageInputStream in, byte[] type, long size, int bound, String what, Found found)
      throws IOException {
    if (size > bound) {
      found.drop(what, String.format("%,d bytes is over the limit of %,d", size, bound));
      return null;
    }
    byte[] data = new byte[(int) size];
    in.readFully(data);
    CRC32 crc = new CRC32();
    crc.update(type);
    crc.update(data);
    if ((in.readInt() & 0xffffffffL) != crc.getValue()) {
      found.drop(what, "bad CRC in its PNG chunk");
      return null;
    }
    return data;
  }

  /** The XMP text of an iTXt chunk's data, inflated within the bound, or null with a note. */
  private static byte[] itxtText(byte[] d, Found found) {
    int p = XMP_KEYWORD.length() + 1;
    if (p + 2 > d.length) {
      found.drop("XMP packet", "malformed PNG iTXt chunk");
      return null;
    }
    boolean compressed = d[p] == 1;
    p += 2;
    int lang = nul(d, p, d.length);
    int translated = lang < 0 ? -1 : nul(d, lang + 1, d.length);
    if (translated < 0) {
      found.drop("XMP packet", "malformed PNG iTXt chunk");
      return null;
    }
    int text = translated + 1;
    if (compressed) {
      return inflate(d, text, ImageMetadata.MAX_XMP, "XMP packet", found);
    }
    if (d.length - text > ImageMetadata.MAX_XMP) {
      found.drop(
          "XMP packet",
          String.format(
              "%,d bytes is over the limit of %,d", d.length - text, ImageMetadata.MAX_XMP));
      return null;
    }
    return Arrays.copyOfRange(d, text, d.length);
  }

  /** zlib data from {@code from} inflated to at most {@code bound} bytes, or null with a note. */
  static byte[] inflate(byte[] d, int from, int bound, String what, Found found) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(d, from, d.length - from);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[64 << 10];
      while (!inflater.finished()) {
        int k = inflater.inflate(buf);
        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          found.drop(what, "truncated compressed data");
          return null;
        }
        if (out.size() + k > bound) {
          found.drop(what, String.format("inflates to over the limit of %,d bytes", bound));
          return null;
        }
        out.write(buf, 0, k);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      found.drop(what, "corrupt compressed data");
      return null;
    } finally {
      inflater.end();
    }
  }

  private static int nul(byte[] d, int max) {
    return nul(d, 0, Math.min(d.length, max + 1));
  }

  private static int nul(byte[] d, int from, int to) {
    for (int i = from; i < to; i++) {
      if (d[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  // --------------------------------------------------------------------------------------- JPEG

  private static void readJpeg(ImageInputStream in, Found found) throws IOException {
    if (in.readUnsignedByte() != 0xff || in.readUnsignedByte() != 0xd8) {
      return;
    }
    byte[][] icc = null;
    boolean iccBad = false;
    for (int n = 0; n < MAX_BLOCKS; n++) {
      int b = in.readUnsignedByte();
      if (b != 0xff) {
        return;
      }
      int marker = in.readUnsignedByte();
      while (marker == 0xff) {
        marker = in.readUnsignedByte();
      }
      if (marker == 0xd8 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        continue; // no length
      }
      if (marker == 0xda || marker == 0xd9) {
        break; // start of scan: the metadata segments come before it
      }
      int len = in.readUnsignedShort();
      if (len < 2) {
        return;
      }
      long next = in.getStreamPosition() + len - 2;
      if (marker == 0xe1 || marker == 0xe2) {
        byte[] data = new byte[len - 2];
        in.readFully(data);
        if (marker == 0xe1 && found.exif == null && startsWith(data, JPEG_EXIF)) {
          found.exif = Arrays.copyOfRange(data, JPEG_EXIF.length, data.length);
        } else if (marker == 0xe1 && found.xmp == null && startsWith(data, JPEG_XMP)) {
          found.xmp = Arrays.copyOfRange(data, JPEG_XMP.length, data.length);
        } else if (marker == 0xe2 && startsWith(data, JPEG_ICC) && data.length >= 14) {
          int seq = data[12] & 0xff;
          int count = data[13] & 0xff;
          if (icc == null && count > 0) {
            icc = new byte[count][];
          }
          if (icc == null
              || count != icc.length
              || seq < 1
              || seq > count
              || icc[seq - 1] != null) {
            iccBad = true;
          } else {
            icc[seq - 1] = Arrays.copyOfRange(data, 14, data.length);
          }
        }
      }
      in.seek(next);
    }
    if (icc != null) {
      long total = 0;
      for (byte[] part : icc) {
        if (part == null) {
          iccBad = true;
        } else {
          total += part.length;
        }
      }
      if (iccBad) {
        found.drop("ICC profile", "its JPEG APP2 segments are missing or out of order");
      } else if (total > ImageMetadata.MAX_ICC) {
        found.drop(
            "ICC profile",
            String.format("%,d bytes is over the limit of %,d", total, ImageMetadata.MAX_ICC));
      } else {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) total);
        for (byte[] part : icc) {
          out.write(part, 0, part.length);
        }
        found.icc = out.toByteArray();
      }
    }
  }

  private static boolean startsWith(byte[] d, byte[] prefix) {
    return d.length >= prefix.length
        && Arrays.equals(d, 0, prefix.length, prefix, 0, prefix.length);
  }

  // --------------------------------------------------------------------------------------- TIFF

  static final int TIFF_XMP = 700;
  static final int TIFF_ICC = 34675;

  /**
   * The ICC profile (tag 34675) and XMP packet (tag 700) of the first IFD, each a run of bytes
   * (types BYTE, ASCII, SBYTE or UNDEFINED), and the EXIF block built from the first IFD's EXIF
   * tags and sub-IFDs ({@link TiffExif#fromTiff}); every count and offset is checked against the
   * file's size and the block's bound before anything is read.
   */
  private static void readTiff(ImageInputStream in, Found found) throws IOException {
    long length = in.length();
    if (length < 8) {
      return;
    }
    byte[] header = new byte[8];
    in.readFully(header);
    boolean little;
    if (header[0] == 'I' && header[1] == 'I') {
      little = true;
    } else if (header[0] == 'M' && header[1] == 'M') {
      little = false;
    } else {
      return;
    }
    if (ExifBlock.u16(header, 2, little) != 42) {
      return; // BigTIFF (43) or not a TIFF
    }
    long ifd = ExifBlock.u32(header, 4, little);
    if (ifd < 8 || ifd > length - 2) {
      return;
    }
    in.seek(ifd);
    byte[] c = new byte[2];
    in.readFully(c);
    int count = ExifBlock.u16(c, 0, little);
    if (12L * count > length - ifd - 2) {
      return; // truncated; the image reader reports it
    }
    byte[] entries = new byte[12 * count];
    in.readFully(entries);
    for (int k = 0; k < count; k++) {
      int e = 12 * k;
      int tag = ExifBlock.u16(entries, e, little);
      if (tag == TIFF_ICC && found.icc == null) {
        found.icc = tiffBytes(in, entries, e, little, ImageMetadata.MAX_ICC, "ICC profile", found);
        if (found.icc == null) {
          found.unreadableTiffIcc = ifd + 2 + e;
        }
      } else if (tag == TIFF_XMP && found.xmp == null) {
        found.xmp = tiffBytes(in, entries, e, little, ImageMetadata.MAX_XMP, "XMP packet", found);
      }
    }
    try {
      found.exif = TiffExif.fromTiff(in, ifd, little);
    } catch (IOException e) {
      found.drop("EXIF block", "damaged TIFF EXIF tags: " + e.getMessage());
    }
  }

  /** The bytes of the byte-typed entry at {@code e}, or null with a note. */
  private static byte[] tiffBytes(
      ImageInputStream in, byte[] entries, int e, boolean little, int bound, String what, Found f)
      throws IOException {
    int type = ExifBlock.u16(entries, e + 2, little);
    long count = ExifBlock.u32(entries, e + 4, little);
    if (type != 1 && type != 2 && type != 6 && type != 7) {
      f.drop(what, "its TIFF tag has type " + type + ", not bytes");
      return null;
    }
    if (count > bound) {
      f.drop(what, String.format("%,d bytes is over the limit of %,d", count, bound));
      return null;
    }
    if (count <= 4) {
      return Arrays.copyOfRange(entries, e + 8, e + 8 + (int) count);
    }
    long offset = ExifBlock.u32(entries, e + 8, little);
    if (offset > in.length() - count) {
      f.drop(what, "its TIFF tag points past the end of the file");
      return null;
    }
    byte[] d = new byte[(int) count];
    in.seek(offset);
    in.readFully(d);
    return d;
  }

  // --------------------------------------------------------------------------------------- WebP

  private static void readWebp(ImageInputStream in, Found found) throws IOException {
    byte[] header = new byte[12];
    in.readFully(header);
    long end = Math.min(in.length(), 8 + (ExifBlock.u32(header, 4, true)));
    for (int n = 0; n < MAX_BLOCKS && in.getStreamPosition() + 8 <= end; n++) {
      byte[] h = new byte[8];
      in.readFully(h);
      String t = new String(h, 0, 4, StandardCharsets.ISO_8859_1);
      long size = ExifBlock.u32(h, 4, true);
      long dataAt = in.getStreamPosition();
      if (size > end - dataAt) {
        return;
      }
      switch (t) {
        case "ICCP" -> found.icc = webpChunk(in, size, ImageMetadata.MAX_ICC, "ICC profile", found);
        case "EXIF" -> {
          byte[] d = webpChunk(in, size, ImageMetadata.MAX_EXIF, "EXIF block", found);
          found.exif =
              d != null && startsWith(d, JPEG_EXIF)
                  ? Arrays.copyOfRange(d, JPEG_EXIF.length, d.length)
                  : d;
        }
        case "XMP " -> found.xmp = webpChunk(in, size, ImageMetadata.MAX_XMP, "XMP packet", found);
        default -> {}
      }
      in.seek(dataAt + size + (size & 1));
    }
  }

  private static byte[] webpChunk(ImageInputStream in, long size, int bound, String what, Found f)
      throws IOException {
    if (size > bound) {
      f.drop(what, String.format("%,d bytes is over the limit of %,d", size, bound));
      return null;
    }
    byte[] d = new byte[(int) size];
    in.readFully(d);
    return d;
  }
}
