package io.armsr.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Inflater;

/**
 * Builds image files with an ICC profile, EXIF and XMP by hand, and takes them apart again, raw
 * (independently of the code under test): PNG chunks, JPEG segments and TIFF tags.
 */
public final class MetadataFiles {
  private MetadataFiles() {}

  public static final String XMP =
      "<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
          + "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF"
          + " xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"><rdf:Description"
          + " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:creator>A. Tester</dc:creator>"
          + "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";

  public static byte[] xmp() {
    return XMP.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A hand-made EXIF block (TIFF structure): IFD0 with ImageWidth (SHORT), ImageLength (SHORT),
   * Orientation, Software (ASCII, out of line) and the EXIF IFD pointer; the EXIF IFD with
   * PixelXDimension (LONG) and PixelYDimension (SHORT).
   */
  public static byte[] exif(int orientation, int width, int height, boolean little) {
    ByteBuffer b = ByteBuffer.allocate(8 + 2 + 5 * 12 + 4 + 12 + 2 + 2 * 12 + 4);
    b.order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    b.put(little ? (byte) 'I' : (byte) 'M').put(little ? (byte) 'I' : (byte) 'M');
    b.putShort((short) 42).putInt(8);
    int software = 8 + 2 + 5 * 12 + 4;
    int exifIfd = software + 12;
    b.putShort((short) 5);
    shortEntry(b, 256, width);
    shortEntry(b, 257, height);
    shortEntry(b, 274, orientation);
    b.putShort((short) 305).putShort((short) 2).putInt(12).putInt(software);
    b.putShort((short) 34665).putShort((short) 4).putInt(1).putInt(exifIfd);
    b.putInt(0);
    b.put("armsr-test\0\0".getBytes(StandardCharsets.ISO_8859_1));
    b.putShort((short) 2);
    b.putShort((short) 0xA002).putShort((short) 4).putInt(1).putInt(width);
    shortEntry(b, 0xA003, height);
    b.putInt(0);
    return b.array();
  }

  private static void shortEntry(ByteBuffer b, int tag, int value) {
    b.putShort((short) tag)
        .putShort((short) 3)
        .putInt(1)
        .putShort((short) value)
        .putShort((short) 0);
  }

  /** {@code png} with iCCP, eXIf and an XMP iTXt chunk (each null for none) after IHDR. */
  public static byte[] png(byte[] png, byte[] icc, byte[] exif, byte[] xmp) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    if (icc != null) {
      ByteArrayOutputStream d = new ByteArrayOutputStream();
      d.write("Test profile\0\0".getBytes(StandardCharsets.ISO_8859_1));
      d.write(deflate(icc));
      out.write(FuzzInputs.pngChunk("iCCP", d.toByteArray()));
    }
    if (exif != null) {
      out.write(FuzzInputs.pngChunk("eXIf", exif));
    }
    if (xmp != null) {
      ByteArrayOutputStream d = new ByteArrayOutputStream();
      d.write("XML:com.adobe.xmp\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1));
      d.write(xmp);
      out.write(FuzzInputs.pngChunk("iTXt", d.toByteArray()));
    }
    out.write(png, 33, png.length - 33);
    return out.toByteArray();
  }

  public static byte[] deflate(byte[] data) {
    java.util.zip.Deflater d = new java.util.zip.Deflater(9);
    d.setInput(data);
    d.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    return out.toByteArray();
  }

  public static byte[] inflate(byte[] data, int from) throws Exception {
    Inflater inf = new Inflater();
    inf.setInput(data, from, data.length - from);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[1 << 16];
    while (!inf.finished()) {
      int k = inf.inflate(buf);
      if (k == 0 && inf.needsInput()) {
        throw new IOException("truncated");
      }
      out.write(buf, 0, k);
    }
    inf.end();
    return out.toByteArray();
  }

  /**
   * {@code jpeg} with APP1 Exif, APP1 XMP and APP2 ICC_PROFILE segments (the profile split into
   * parts of at most {@code iccPart} bytes) right after SOI.
   */
  public static byte[] jpeg(byte[] jpeg, byte[] icc, int iccPart, byte[] exif, byte[] xmp)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    if (exif != null) {
      segment(out, 0xe1, concat("Exif\0\0".getBytes(StandardCharsets.ISO_8859_1), exif));
    }
    if (xmp != null) {
      segment(
          out,
          0xe1,
          concat("http://ns.adobe.com/xap/1.0/\0".getBytes(StandardCharsets.ISO_8859_1), xmp));
    }
    if (icc != null) {
      int parts = (icc.length + iccPart - 1) / iccPart;
      for (int k = 0; k < parts; k++) {
        byte[] head = concat("ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1), new byte[2]);
        head[12] = (byte) (k + 1);
        head[13] = (byte) parts;
        segment(
            out,
            0xe2,
            concat(
                head,
                Arrays.copyOfRange(icc, k * iccPart, Math.min(icc.length, (k + 1) * iccPart))));
      }
    }
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  private static void segment(ByteArrayOutputStream out, int marker, byte[] data) {
    out.write(0xff);
    out.write(marker);
    out.write((data.length + 2) >>> 8);
    out.write((data.length + 2) & 0xff);
    out.write(data, 0, data.length);
  }

  public static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /** The chunks of a PNG in order: type and data (CRCs checked). */
  public static List<Map.Entry<String, byte[]>> pngChunks(byte[] png) throws IOException {
    List<Map.Entry<String, byte[]>> chunks = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(png);
    b.position(8);
    while (b.remaining() >= 12) {
      int size = b.getInt();
      byte[] type = new byte[4];
      b.get(type);
      byte[] data = new byte[size];
      b.get(data);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(type);
      crc.update(data);
      if ((b.getInt() & 0xffffffffL) != crc.getValue()) {
        throw new IOException("bad CRC in " + new String(type, StandardCharsets.ISO_8859_1));
      }
      chunks.add(Map.entry(new String(type, StandardCharsets.ISO_8859_1), data));
    }
    return chunks;
  }

  /** The segments of a JPEG before SOS: marker and data, in order. */
  public static List<Map.Entry<Integer, byte[]>> jpegSegments(byte[] jpeg) {
    List<Map.Entry<Integer, byte[]>> segments = new ArrayList<>();
    int p = 2;
    while (p + 4 <= jpeg.length && (jpeg[p] & 0xff) == 0xff) {
      int marker = jpeg[p + 1] & 0xff;
      if (marker == 0xda) {
        break;
      }
      int len = (jpeg[p + 2] & 0xff) << 8 | (jpeg[p + 3] & 0xff);
      segments.add(Map.entry(marker, Arrays.copyOfRange(jpeg, p + 4, p + 2 + len)));
      p += 2 + len;
    }
    return segments;
  }

  /** ICC, EXIF and XMP found raw in a PNG or JPEG, by name ("icc", "exif", "xmp"). */
  public static Map<String, byte[]> rawMetadata(byte[] file) throws Exception {
    Map<String, byte[]> found = new LinkedHashMap<>();
    if ((file[0] & 0xff) == 0x89) {
      for (Map.Entry<String, byte[]> c : pngChunks(file)) {
        byte[] d = c.getValue();
        switch (c.getKey()) {
          case "iCCP" -> {
            int z = 0;
            while (d[z] != 0) {
              z++;
            }
            found.put("icc", inflate(d, z + 2));
          }
          case "eXIf" -> found.put("exif", d);
          case "iTXt" -> {
            String head = new String(d, 0, 22, StandardCharsets.ISO_8859_1);
            if (head.equals("XML:com.adobe.xmp\0\0\0\0\0")) {
              found.put("xmp", Arrays.copyOfRange(d, 22, d.length));
            }
          }
          default -> {}
        }
      }
      return found;
    }
    ByteArrayOutputStream icc = new ByteArrayOutputStream();
    int expectedSeq = 1;
    for (Map.Entry<Integer, byte[]> s : jpegSegments(file)) {
      byte[] d = s.getValue();
      String head = new String(d, 0, Math.min(d.length, 29), StandardCharsets.ISO_8859_1);
      if (s.getKey() == 0xe1 && head.startsWith("Exif\0\0")) {
        found.put("exif", Arrays.copyOfRange(d, 6, d.length));
      } else if (s.getKey() == 0xe1 && head.equals("http://ns.adobe.com/xap/1.0/\0")) {
        found.put("xmp", Arrays.copyOfRange(d, 29, d.length));
      } else if (s.getKey() == 0xe2 && head.startsWith("ICC_PROFILE\0")) {
        if ((d[12] & 0xff) != expectedSeq++) {
          throw new IOException("ICC segments out of order");
        }
        icc.write(d, 14, d.length - 14);
        if ((d[12] & 0xff) == (d[13] & 0xff)) {
          found.put("icc", icc.toByteArray());
        }
      }
    }
    return found;
  }

  /**
   * A baseline uncompressed 8-bit RGB TIFF of {@code w x h} ({@code rgb} holds w*h*3 samples), made
   * by hand, with the ICC profile (tag 34675) and XMP (tag 700) as UNDEFINED entries of its only
   * IFD (each null for none). {@code iccCount} and {@code iccOffset}, when not -1, replace the ICC
   * entry's count and offset (for hostile files).
   */
  public static byte[] tiff(
      int w,
      int h,
      byte[] rgb,
      byte[] icc,
      byte[] xmp,
      boolean little,
      long iccCount,
      long iccOffset) {
    int entries = 9 + (icc != null ? 1 : 0) + (xmp != null ? 1 : 0);
    int ifdEnd = 8 + 2 + 12 * entries + 4;
    int bps = ifdEnd;
    int pixels = bps + 6;
    int xmpAt = pixels + rgb.length + (rgb.length & 1);
    int xmpLen = xmp == null ? 0 : xmp.length + (xmp.length & 1);
    int iccAt = xmpAt + xmpLen;
    int size = iccAt + (icc == null ? 0 : icc.length);
    ByteBuffer b = ByteBuffer.allocate(size);
    b.order(little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    b.put(little ? (byte) 'I' : (byte) 'M').put(little ? (byte) 'I' : (byte) 'M');
    b.putShort((short) 42).putInt(8);
    b.putShort((short) entries);
    shortEntry(b, 256, w);
    shortEntry(b, 257, h);
    b.putShort((short) 258).putShort((short) 3).putInt(3).putInt(bps);
    shortEntry(b, 259, 1);
    shortEntry(b, 262, 2);
    b.putShort((short) 273).putShort((short) 4).putInt(1).putInt(pixels);
    shortEntry(b, 277, 3);
    shortEntry(b, 278, h);
    b.putShort((short) 279).putShort((short) 4).putInt(1).putInt(rgb.length);
    if (xmp != null) {
      b.putShort((short) 700).putShort((short) 7).putInt(xmp.length).putInt(xmpAt);
    }
    if (icc != null) {
      b.putShort((short) 34675)
          .putShort((short) 7)
          .putInt((int) (iccCount >= 0 ? iccCount : icc.length))
          .putInt((int) (iccOffset >= 0 ? iccOffset : iccAt));
    }
    b.putInt(0);
    b.putShort((short) 8).putShort((short) 8).putShort((short) 8);
    b.put(rgb);
    if (xmp != null) {
      b.position(xmpAt);
      b.put(xmp);
    }
    if (icc != null) {
      b.position(iccAt);
      b.put(icc);
    }
    return b.array();
  }

  /** The values of the BYTE and UNDEFINED entries of a TIFF's first IFD, by tag. */
  public static Map<Integer, byte[]> tiffBlocks(byte[] tiff) {
    ByteBuffer b = ByteBuffer.wrap(tiff);
    b.order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int ifd = b.getInt(4);
    int n = b.getShort(ifd) & 0xffff;
    Map<Integer, byte[]> found = new LinkedHashMap<>();
    for (int k = 0; k < n; k++) {
      int e = ifd + 2 + 12 * k;
      int tag = b.getShort(e) & 0xffff;
      int type = b.getShort(e + 2) & 0xffff;
      int count = b.getInt(e + 4);
      if (type == 1 || type == 7) {
        int at = count <= 4 ? e + 8 : b.getInt(e + 8);
        found.put(tag, Arrays.copyOfRange(tiff, at, at + count));
      }
    }
    return found;
  }

  /** The tags of a TIFF's first IFD, in file order. */
  public static List<Integer> tiffTags(byte[] tiff) {
    ByteBuffer b = ByteBuffer.wrap(tiff);
    b.order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int ifd = b.getInt(4);
    int n = b.getShort(ifd) & 0xffff;
    List<Integer> tags = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      tags.add(b.getShort(ifd + 2 + 12 * k) & 0xffff);
    }
    return tags;
  }

  /** The offset of a TIFF's first IFD. */
  public static int tiffIfd0(byte[] tiff) {
    ByteBuffer b = ByteBuffer.wrap(tiff);
    b.order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    return b.getInt(4);
  }

  /**
   * The entry for {@code tag} in the TIFF IFD at {@code ifd}: {type, count, value, entry offset},
   * the value read as a SHORT or a LONG (the offset for values over 4 bytes); null when absent.
   */
  public static long[] tiffEntry(byte[] tiff, int ifd, int tag) {
    ByteBuffer b = ByteBuffer.wrap(tiff);
    b.order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int n = b.getShort(ifd) & 0xffff;
    for (int k = 0; k < n; k++) {
      int e = ifd + 2 + 12 * k;
      if ((b.getShort(e) & 0xffff) == tag) {
        int type = b.getShort(e + 2) & 0xffff;
        long count = b.getInt(e + 4) & 0xffffffffL;
        long value = type == 3 && count == 1 ? b.getShort(e + 8) & 0xffff : b.getInt(e + 8);
        return new long[] {type, count, value & 0xffffffffL, e};
      }
    }
    return null;
  }
}
