package io.armsr.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes zip files byte by byte, including what {@link java.util.zip.ZipOutputStream} refuses to
 * write: two records of one name, and a record whose index declares another size than its data
 * inflates to (a compression bomb). No zip64, no data descriptors: every size is in the headers.
 */
public final class RawZip {
  private record Entry(String name, int method, byte[] data, long crc, long declared) {}

  private final List<Entry> entries = new ArrayList<>();

  /** A stored record with its true size and CRC. */
  public RawZip stored(String name, byte[] data) {
    CRC32 crc = new CRC32();
    crc.update(data);
    entries.add(new Entry(name, 0, data, crc.getValue(), data.length));
    return this;
  }

  /**
   * A deflated record of {@code zeros} zero bytes whose index declares {@code declared} bytes. The
   * data is one full-flushed block of a MiB of zeros repeated, so gigabytes cost a few MB and no
   * time to write.
   */
  public RawZip deflatedZeros(String name, long zeros, long declared) {
    int block = 1 << 20;
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    d.setInput(new byte[block]);
    byte[] buf = new byte[64 << 10];
    int n = d.deflate(buf, 0, buf.length, Deflater.FULL_FLUSH);
    byte[] chunk = java.util.Arrays.copyOf(buf, n);
    d.reset();
    d.finish();
    int m = d.deflate(buf);
    byte[] end = java.util.Arrays.copyOf(buf, m);
    d.end();
    long blocks = zeros / block;
    if (blocks * block != zeros) {
      throw new IllegalArgumentException("zeros must be a whole number of MiB");
    }
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (long i = 0; i < blocks; i++) {
      data.writeBytes(chunk);
    }
    data.writeBytes(end);
    entries.add(new Entry(name, 8, data.toByteArray(), 0, declared));
    return this;
  }

  /** Writes the archive to {@code file}. */
  public Path write(Path file) {
    try (OutputStream out = Files.newOutputStream(file)) {
      ByteArrayOutputStream central = new ByteArrayOutputStream();
      long offset = 0;
      for (Entry e : entries) {
        byte[] name = e.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer local = le(30 + name.length);
        local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0);
        local.putShort((short) e.method()).putInt(0).putInt((int) e.crc());
        local.putInt(e.data().length).putInt((int) e.declared());
        local.putShort((short) name.length).putShort((short) 0).put(name);
        out.write(local.array());
        out.write(e.data());
        ByteBuffer cen = le(46 + name.length);
        cen.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0);
        cen.putShort((short) e.method()).putInt(0).putInt((int) e.crc());
        cen.putInt(e.data().length).putInt((int) e.declared());
        cen.putShort((short) name.length).putShort((short) 0).putShort((short) 0);
        cen.putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) offset).put(name);
        central.writeBytes(cen.array());
        offset += local.capacity() + e.data().length;
      }
      byte[] cen = central.toByteArray();
      ByteBuffer eocd = le(22);
      eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
      eocd.putShort((short) entries.size()).putShort((short) entries.size());
      eocd.putInt(cen.length).putInt((int) offset).putShort((short) 0);
      out.write(cen);
      out.write(eocd.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }
}
