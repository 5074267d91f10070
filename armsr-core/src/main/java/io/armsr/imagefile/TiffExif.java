package io.armsr.imagefile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.stream.ImageInputStream;

/**
 * EXIF in TIFF files. JPEG, PNG and WebP carry EXIF as one block, a small TIFF structure of its own
 * ({@link ImageMetadata#exif}); a TIFF file carries the same entries in its own first IFD (the
 * descriptive tags: make, model, orientation, resolution, dates, ...) and in the sub-IFDs that IFD
 * points at: the EXIF IFD (tag 34665), the GPS IFD (34853) and, inside the EXIF IFD, the
 * interoperability IFD (40965). This class converts between the two:
 *
 * <ul>
 *   <li>{@link #fromTiff}: the block of a TIFF file, built from the {@link #IFD0_TAGS} of its first
 *       IFD and the sub-IFDs;
 *   <li>{@link #placeInTiff}: the first-IFD entries and the appended bytes that put a block into a
 *       TIFF the writer produced ({@link MetadataWriter#tiff}).
 * </ul>
 *
 * <p>Every entry keeps its bytes, converted to the target's byte order by its type. A block is laid
 * out canonically: header, IFD0 (entries sorted by tag, next IFD 0), its out-of-line values in tag
 * order, then each sub-IFD the same way, every value and IFD word aligned; so a block in that
 * layout comes back byte for byte from a TIFF. What a TIFF cannot hold as EXIF is not carried into
 * one: IFD0 tags outside {@link #IFD0_TAGS} (they describe the block's JPEG or thumbnail) and IFD1
 * (the thumbnail). A maker note is copied as its bytes; one that holds absolute offsets (a few
 * vendors' do) points elsewhere after the move, as with most tools.
 *
 * <p>Reading is bounded: at most {@link ImageMetadata#MAX_EXIF} bytes of entries and values, each
 * count and offset checked against the source's size before anything is read, and sub-IFDs only at
 * their fixed places (so a loop of pointers cannot recur). A damaged structure is refused with an
 * {@link IOException} whose message says why.
 */
final class TiffExif {
  private TiffExif() {}

  /**
   * The first-IFD tags that belong to EXIF: ImageWidth, ImageLength, DocumentName,
   * ImageDescription, Make, Model, Orientation, Software, DateTime, Artist, HostComputer,
   * Copyright, and the EXIF and GPS IFD pointers. The resolution (XResolution, YResolution,
   * ResolutionUnit) is not among them: the TIFF writer sets its own.
   */
  static final int[] IFD0_TAGS = {
    256, 257, 269, 270, 271, 272, 274, 305, 306, 315, 316, 33432, 34665, 34853
  };

  private static final int IMAGE_WIDTH = 256;
  private static final int IMAGE_LENGTH = 257;

  static final int EXIF_IFD = 34665;
  static final int GPS_IFD = 34853;
  static final int INTEROP_IFD = 40965;

  private static final int LONG = 4;
  private static final int IFD = 13;

  /** One IFD entry: its value bytes in the source's byte order, or the IFD it points at. */
  record Entry(int tag, int type, long count, byte[] value, List<Entry> child) {}

  /** A parsed block: the IFD0 entries (sorted by tag) and the byte order they were read in. */
  record Tree(boolean little, List<Entry> ifd0) {}

  /** Where the bytes come from: a block in memory or a TIFF file. */
  private interface Source {
    long length() throws IOException;

    byte[] read(long offset, int n) throws IOException;
  }

  /**
   * The EXIF block of the TIFF file {@code in} whose first IFD is at {@code ifd0}, or null when
   * that IFD holds none of the EXIF tags but the image size and resolution (which every TIFF writer
   * puts there).
   *
   * @throws IOException if the EXIF part of the file is damaged or over the bound
   */
  static byte[] fromTiff(ImageInputStream in, long ifd0, boolean little) throws IOException {
    Source s =
        new Source() {
          @Override
          public long length() throws IOException {
            return in.length();
          }

          @Override
          public byte[] read(long offset, int n) throws IOException {
            byte[] d = new byte[n];
            in.seek(offset);
            in.readFully(d);
            return d;
          }
        };
    List<Entry> entries = directory(s, ifd0, little, 0, new int[] {ImageMetadata.MAX_EXIF});
    boolean any = false;
    for (Entry e : entries) {
      any |= e.tag != IMAGE_WIDTH && e.tag != IMAGE_LENGTH;
    }
    return any ? block(new Tree(little, entries)) : null;
  }

  /**
   * {@code exif} (a block) parsed, keeping the {@link #IFD0_TAGS} of IFD0 and its sub-IFDs.
   *
   * @throws IOException if the block is damaged
   */
  static Tree parse(byte[] exif) throws IOException {
    if (exif.length < 8
        || !((exif[0] == 'I' && exif[1] == 'I') || (exif[0] == 'M' && exif[1] == 'M'))) {
      throw new IOException("no TIFF header");
    }
    boolean little = exif[0] == 'I';
    if (ExifBlock.u16(exif, 2, little) != 42) {
      throw new IOException("no TIFF header");
    }
    Source s =
        new Source() {
          @Override
          public long length() {
            return exif.length;
          }

          @Override
          public byte[] read(long offset, int n) {
            return Arrays.copyOfRange(exif, (int) offset, (int) offset + n);
          }
        };
    long ifd0 = ExifBlock.u32(exif, 4, little);
    return new Tree(little, directory(s, ifd0, little, 0, new int[] {ImageMetadata.MAX_EXIF}));
  }

  /** {@code tree} as a block in its own byte order, laid out canonically. */
  static byte[] block(Tree tree) {
    Buf b = new Buf(0);
    b.put(tree.little ? new byte[] {'I', 'I', 42, 0} : new byte[] {'M', 'M', 0, 42});
    b.put(new byte[4]);
    b.patch32(4, writeDirectory(b, tree.ifd0, tree.little, tree.little), tree.little);
    return b.bytes();
  }

  /** What {@link #placeInTiff} gives: first-IFD entries by tag, and the bytes to append. */
  record Placed(Map<Integer, byte[]> entries, byte[] appended) {}

  /**
   * The EXIF of {@code tree} for a TIFF in byte order {@code little} whose appended bytes start at
   * file offset {@code base} (word aligned): the 12-byte first-IFD entries (values of up to 4 bytes
   * inline, others and the sub-IFDs in the appended bytes). The image size (ImageWidth,
   * ImageLength) stays the writer's, so that no EXIF block can make the TIFF's pixels unreadable;
   * read back ({@link #fromTiff}), the block has the writer's entries for them.
   */
  static Placed placeInTiff(Tree tree, boolean little, long base) {
    Buf b = new Buf(base);
    Map<Integer, byte[]> entries = new TreeMap<>();
    // The image size is the writer's: an EXIF block's own could be anything.
    List<Entry> carried =
        tree.ifd0.stream().filter(e -> e.tag != IMAGE_WIDTH && e.tag != IMAGE_LENGTH).toList();
    List<byte[]> written = writeEntries(b, carried, tree.little, little);
    for (int k = 0; k < written.size(); k++) {
      entries.put(carried.get(k).tag, written.get(k));
    }
    return new Placed(entries, b.bytes());
  }

  // ------------------------------------------------------------------------------------ reading

  /**
   * The entries of the IFD at {@code at}: at level 0 (IFD0) only the {@link #IFD0_TAGS}, with the
   * EXIF and GPS IFDs read as children; at level 1 every entry, the EXIF IFD's interoperability IFD
   * as a child. {@code budget[0]} is the number of bytes still allowed.
   */
  private static List<Entry> directory(Source s, long at, boolean little, int level, int[] budget)
      throws IOException {
    long length = s.length();
    if (at < 8 || at > length - 2) {
      throw new IOException("an IFD offset points outside the data");
    }
    int count = ExifBlock.u16(s.read(at, 2), 0, little);
    if (12L * count > length - at - 2) {
      throw new IOException("an IFD is cut off");
    }
    spend(budget, 12L * count);
    byte[] raw = s.read(at + 2, 12 * count);
    TreeMap<Integer, Entry> entries = new TreeMap<>();
    for (int k = 0; k < count; k++) {
      int e = 12 * k;
      int tag = ExifBlock.u16(raw, e, little);
      if (level == 0 && Arrays.binarySearch(IFD0_TAGS, tag) < 0 || entries.containsKey(tag)) {
        continue;
      }
      int type = ExifBlock.u16(raw, e + 2, little);
      long n = ExifBlock.u32(raw, e + 4, little);
      boolean pointer =
          (level == 0 && (tag == EXIF_IFD || tag == GPS_IFD)) || (level == 1 && tag == INTEROP_IFD);
      if (pointer) {
        if ((type != LONG && type != IFD) || n != 1) {
          throw new IOException("sub-IFD pointer " + tag + " has type " + type + ", count " + n);
        }
        long child = ExifBlock.u32(raw, e + 8, little);
        entries.put(
            tag, new Entry(tag, type, 1, null, directory(s, child, little, level + 1, budget)));
        continue;
      }
      int size = typeSize(type);
      if (size == 0) {
        continue; // an unknown type: TIFF readers skip it
      }
      long bytes = n * size;
      spend(budget, bytes);
      byte[] value;
      if (bytes <= 4) {
        value = Arrays.copyOfRange(raw, e + 8, e + 8 + (int) bytes);
      } else {
        long offset = ExifBlock.u32(raw, e + 8, little);
        if (offset > length - bytes) {
          throw new IOException("the value of tag " + tag + " lies past the end");
        }
        value = s.read(offset, (int) bytes);
      }
      entries.put(tag, new Entry(tag, type, n, value, null));
    }
    return List.copyOf(entries.values());
  }

  private static void spend(int[] budget, long bytes) throws IOException {
    if (bytes > budget[0]) {
      throw new IOException(String.format("over the limit of %,d bytes", ImageMetadata.MAX_EXIF));
    }
    budget[0] -= (int) bytes;
  }

  /** Bytes per value of a TIFF field type, 0 for an unknown type. */
  private static int typeSize(int type) {
    return switch (type) {
      case 1, 2, 6, 7 -> 1; // BYTE, ASCII, SBYTE, UNDEFINED
      case 3, 8 -> 2; // SHORT, SSHORT
      case 4, 9, 11, 13 -> 4; // LONG, SLONG, FLOAT, IFD
      case 5, 10, 12 -> 8; // RATIONAL, SRATIONAL, DOUBLE
      default -> 0;
    };
  }

  /** {@code value} of {@code type} in byte order {@code to}, read in order {@code from}. */
  private static byte[] convert(byte[] value, int type, boolean from, boolean to) {
    int unit =
        switch (type) {
          case 3, 8 -> 2;
          case 4, 5, 9, 10, 11, 13 -> 4; // a RATIONAL is two LONGs
          case 12 -> 8;
          default -> 1;
        };
    if (from == to || unit == 1) {
      return value;
    }
    byte[] d = new byte[value.length];
    for (int i = 0; i + unit <= value.length; i += unit) {
      for (int j = 0; j < unit; j++) {
        d[i + j] = value[i + unit - 1 - j];
      }
    }
    return d;
  }

  // ------------------------------------------------------------------------------------ writing

  /** Writes {@code entries} as an IFD at the end of {@code b}; returns its file offset. */
  private static long writeDirectory(Buf b, List<Entry> entries, boolean from, boolean to) {
    b.align();
    long offset = b.offset();
    int start = b.size();
    b.put(new byte[2 + 12 * entries.size() + 4]);
    b.patch16(start, entries.size(), to);
    List<byte[]> written = writeEntries(b, entries, from, to);
    for (int k = 0; k < written.size(); k++) {
      b.patch(start + 2 + 12 * k, written.get(k));
    }
    return offset;
  }

  /**
   * The 12-byte entries for {@code entries}, appending out-of-line values and sub-IFDs to {@code b}
   * in tag order.
   */
  private static List<byte[]> writeEntries(Buf b, List<Entry> entries, boolean from, boolean to) {
    List<byte[]> out = new ArrayList<>();
    for (Entry e : entries) {
      byte[] d = new byte[12];
      ExifBlock.put16(d, 0, e.tag, to);
      ExifBlock.put16(d, 2, e.type, to);
      ExifBlock.put32(d, 4, e.count, to);
      if (e.child != null) {
        ExifBlock.put32(d, 8, writeDirectory(b, e.child, from, to), to);
      } else {
        byte[] v = convert(e.value, e.type, from, to);
        if (v.length <= 4) {
          System.arraycopy(v, 0, d, 8, v.length);
        } else {
          b.align();
          ExifBlock.put32(d, 8, b.offset(), to);
          b.put(v);
        }
      }
      out.add(d);
    }
    return out;
  }

  /** A growable byte buffer whose first byte lies at file offset {@code base}. */
  private static final class Buf {
    private final long base;
    private byte[] a = new byte[256];
    private int n;

    Buf(long base) {
      this.base = base;
    }

    int size() {
      return n;
    }

    long offset() {
      return base + n;
    }

    void put(byte[] d) {
      if (n + d.length > a.length) {
        a = Arrays.copyOf(a, Math.max(2 * a.length, n + d.length));
      }
      System.arraycopy(d, 0, a, n, d.length);
      n += d.length;
    }

    void align() {
      if ((offset() & 1) != 0) {
        put(new byte[1]);
      }
    }

    void patch(int at, byte[] d) {
      System.arraycopy(d, 0, a, at, d.length);
    }

    void patch16(int at, int v, boolean little) {
      ExifBlock.put16(a, at, v, little);
    }

    void patch32(int at, long v, boolean little) {
      ExifBlock.put32(a, at, v, little);
    }

    byte[] bytes() {
      return Arrays.copyOf(a, n);
    }
  }
}
