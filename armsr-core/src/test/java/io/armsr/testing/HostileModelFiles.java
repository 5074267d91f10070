package io.armsr.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.zip.CRC32;

/**
 * Model files crafted by an attacker, generated from bytes: each is small on disk (at most ~10 MB,
 * or sparse) but declares sizes, nesting or contents meant to hang, exhaust or confuse a reader.
 * Used in process by the readers' unit tests and through the command line, in a child JVM whose
 * memory is measured, by the CLI's hostile-input suite. Every one must be refused with a one-line
 * error naming the file.
 */
public final class HostileModelFiles {
  private HostileModelFiles() {}

  /** What the file is handed to the command line as. */
  public enum Role {
    WEIGHTS,
    LUT
  }

  /** One hostile file: its name, role, and how to write it into a folder. */
  public record Case(String name, Role role, Function<Path, Path> writer) {
    public Path write(Path dir) {
      return writer.apply(dir);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  private static final long GIB = 1L << 30;

  /** All cases, one or more per class of attack. */
  public static List<Case> all() {
    List<Case> c = new ArrayList<>();
    // Declared sizes that do not match the bytes present: work in proportion to the claim.
    c.add(pth("fortran-65536x65536-no-data.pth", array(new long[] {65536, 65536}, "<f8", true)));
    c.add(state("fortran-65536x65536-no-data.state", lut(new long[] {65536, 65536}, true)));
    c.add(state("c-order-65536x65536-no-data.state", lut(new long[] {65536, 65536}, false)));
    c.add(state("2d-2^40-rows-of-nothing.state", lut(new long[] {1L << 40, 0}, false)));
    // Compression bombs: a record inflating to far more than its declared size, or an honest size
    // far beyond any model.
    c.add(
        new Case(
            "bomb-data.pkl-4GiB-declared-200.pth",
            Role.WEIGHTS,
            dir ->
                new RawZip()
                    .deflatedZeros("archive/data.pkl", 4 * GIB, 200)
                    .write(dir.resolve("bomb-pkl.pth"))));
    c.add(
        new Case(
            "bomb-storage-10GiB-declared-400.pth",
            Role.WEIGHTS,
            dir ->
                new RawZip()
                    .stored("archive/data.pkl", oneTensor(100, 0, new long[] {100}, new long[] {1}))
                    .deflatedZeros("archive/data/0", 10 * GIB, 400)
                    .write(dir.resolve("bomb-storage.pth"))));
    c.add(
        new Case(
            "honest-1.9GB-storage.pth",
            Role.WEIGHTS,
            dir -> {
              long numel = 1900L * (1 << 20) / 4;
              return new RawZip()
                  .stored(
                      "archive/data.pkl", oneTensor(numel, 0, new long[] {numel}, new long[] {1}))
                  .deflatedZeros("archive/data/0", 4 * numel, 4 * numel)
                  .write(dir.resolve("honest-1.9GB.pth"));
            }));
    c.add(
        new Case(
            "bomb-data.pkl-4GiB-declared-4GiB.state",
            Role.LUT,
            dir ->
                new RawZip()
                    .deflatedZeros("archive/data.pkl", 4 * GIB, 4 * GIB - 2)
                    .write(dir.resolve("bomb-state.state"))));
    // Deep or self-referencing structures.
    c.add(pth("nested-100000-tuples.pth", nestedTuples(100_000)));
    c.add(state("nested-100000-lists.state", nestedLists(100_000)));
    c.add(pth("self-containing-list-as-dict-key.pth", selfListKey()));
    c.add(state("self-containing-list-in-a-set.state", selfListInSet()));
    // Arithmetic overflow in sizes, strides and offsets.
    c.add(pth("size-2^32x2^32.pth", tensorPth(16, 0, new long[] {1L << 32, 1L << 32}, ones(2))));
    c.add(pth("storage-2^62-elements.pth", tensorPth(1L << 62, 0, new long[] {4}, ones(1))));
    c.add(
        pth(
            "stride-near-2^62.pth",
            tensorPth(6, 0, new long[] {2, 3}, new long[] {(1L << 62) + 1, 1})));
    c.add(pth("negative-size.pth", tensorPth(6, 0, new long[] {-2, 3}, new long[] {3, 1})));
    c.add(pth("negative-offset.pth", tensorPth(6, -4, new long[] {2, 3}, new long[] {3, 1})));
    c.add(pth("negative-storage.pth", tensorPth(-6, 0, new long[] {2, 3}, new long[] {3, 1})));
    c.add(pth("offset-near-2^63.pth", tensorPth(6, Long.MAX_VALUE - 1, new long[] {2}, ones(1))));
    // Ambiguity: two records of one name.
    c.add(
        new Case(
            "duplicate-storage-record.pth",
            Role.WEIGHTS,
            dir -> {
              byte[] pkl = oneTensor(1, 0, new long[] {1}, new long[] {1});
              return new RawZip()
                  .stored("archive/data.pkl", pkl)
                  .stored("archive/data/0", new byte[4])
                  .stored("archive/data/0", new byte[] {0, 0, (byte) 0x80, 0x3f})
                  .write(dir.resolve("duplicate.pth"));
            }));
    c.add(
        new Case(
            "duplicate-data.pkl.state",
            Role.LUT,
            dir -> {
              byte[] pkl = new PickleWriter().emptyDict().stop().toBytes();
              return new RawZip()
                  .stored("archive/data.pkl", pkl)
                  .stored("archive/data.pkl", pkl)
                  .write(dir.resolve("duplicate.state"));
            }));
    // The project's own files: larger than any model, or announcing a huge payload.
    c.add(new Case("sparse-3GB.armw", Role.WEIGHTS, dir -> sparse(dir, "big.armw", 'W', 3 * GIB)));
    c.add(new Case("sparse-3GB.arml", Role.LUT, dir -> sparse(dir, "big.arml", 'L', 3 * GIB)));
    c.add(
        new Case(
            "header-announces-2^62-payload.armw",
            Role.WEIGHTS,
            dir ->
                container(
                    dir.resolve("huge-payload.armw"),
                    'W',
                    "{\"format\":\"armsr-weights\",\"payloadBytes\":" + (1L << 62) + "}",
                    0)));
    c.add(
        new Case(
            "header-announces-2^62-payload.arml",
            Role.LUT,
            dir ->
                container(
                    dir.resolve("huge-payload.arml"),
                    'L',
                    "{\"format\":\"armsr-lut\",\"payloadBytes\":" + (Long.MAX_VALUE - 8) + "}",
                    0)));
    c.add(
        new Case(
            "tensor-shape-overflow.armw",
            Role.WEIGHTS,
            dir -> overflowingShapes(dir.resolve("overflow.armw"))));
    return c;
  }

  private static Case pth(String name, byte[] pickle) {
    return new Case(name, Role.WEIGHTS, dir -> pickleOnly(dir.resolve(name), pickle));
  }

  private static Case state(String name, byte[] pickle) {
    return new Case(name, Role.LUT, dir -> pickleOnly(dir.resolve(name), pickle));
  }

  private static Path pickleOnly(Path file, byte[] pickle) {
    return new RawZip()
        .stored("archive/data.pkl", pickle)
        .stored("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII))
        .write(file);
  }

  private static long[] ones(int n) {
    long[] s = new long[n];
    java.util.Arrays.fill(s, 1);
    return s;
  }

  /** {@code {'x': array}} with an array that holds no data. */
  private static byte[] array(long[] shape, String dtype, boolean fortran) {
    PickleWriter p = new PickleWriter().emptyDict().str("x");
    return p.numpyArray(shape, dtype.substring(1), fortran, new byte[0]).setItem().stop().toBytes();
  }

  /** {@code {'hmap': {'hmap_x_list': array}}}: the LUT reader's own path. */
  private static byte[] lut(long[] shape, boolean fortran) {
    PickleWriter p = new PickleWriter().emptyDict().str("hmap").emptyDict().str("hmap_x_list");
    p.numpyArray(shape, "f8", fortran, new byte[0]).setItem();
    return p.setItem().stop().toBytes();
  }

  /** A state dict of one tensor {@code 'head_conv.0.weight'} over storage {@code 0}. */
  public static byte[] oneTensor(long numel, long offset, long[] size, long[] stride) {
    PickleWriter p = new PickleWriter().emptyDict().str("head_conv.0.weight");
    return p.tensor("0", numel, offset, size, stride).setItem().stop().toBytes();
  }

  private static byte[] tensorPth(long numel, long offset, long[] size, long[] stride) {
    return oneTensor(numel, offset, size, stride);
  }

  /** {@code {'x': ((((...))))}}, {@code depth} tuples deep. */
  public static byte[] nestedTuples(int depth) {
    PickleWriter p = new PickleWriter().emptyDict().str("x");
    for (int i = 0; i < depth; i++) {
      p.mark();
    }
    for (int i = 0; i < depth; i++) {
      p.tuple();
    }
    return p.setItem().stop().toBytes();
  }

  /** {@code {'hmap': [[[...]]]}}, {@code depth} lists deep. */
  public static byte[] nestedLists(int depth) {
    PickleWriter p = new PickleWriter().emptyDict().str("hmap");
    for (int i = 0; i < depth; i++) {
      p.emptyList();
    }
    for (int i = 1; i < depth; i++) {
      p.append();
    }
    return p.setItem().stop().toBytes();
  }

  /** {@code l = []; l.append(l); {l: 1}}. */
  public static byte[] selfListKey() {
    PickleWriter p = new PickleWriter().emptyDict().emptyList().put(0).get(0).append();
    return p.integer(1).setItem().stop().toBytes();
  }

  /** {@code l = []; l.append(l); {'hmap': frozenset([l])}} (FROZENSET, protocol 4). */
  public static byte[] selfListInSet() {
    PickleWriter p = new PickleWriter().emptyDict().str("hmap").mark();
    p.emptyList().put(0).get(0).append();
    return p.op(0x91).setItem().stop().toBytes();
  }

  /** A sparse file of {@code size} bytes starting with the project's magic of {@code kind}. */
  private static Path sparse(Path dir, String name, char kind, long size) {
    Path f = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.write(new byte[] {(byte) 0x89, 'A', 'R', 'M', 'S', 'R', (byte) kind, '\n', 1, 0, 0, 0});
      raf.setLength(size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return f;
  }

  /** A container with this JSON header and {@code payload} zero bytes, checksummed. */
  private static Path container(Path file, char kind, String header, int payload) {
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b =
        ByteBuffer.allocate(16 + json.length + payload + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x89, 'A', 'R', 'M', 'S', 'R', (byte) kind, '\n'});
    b.putInt(1).putInt(json.length).put(json).put(new byte[payload]);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    try {
      Files.write(file, b.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * The embedded default weights with the shape of one tensor made [2^31-1, 2^31-1, 2^31-1], a
   * product that wraps around a long; the payload is left as it is.
   */
  private static Path overflowingShapes(Path file) {
    byte[] armw;
    try (InputStream in =
        HostileModelFiles.class.getResourceAsStream("/io/armsr/default/fsrcnn.armw")) {
      armw = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteBuffer b = ByteBuffer.wrap(armw).order(ByteOrder.LITTLE_ENDIAN);
    int h = b.getInt(12);
    String header = new String(armw, 16, h, StandardCharsets.UTF_8);
    String big = "[2147483647,2147483647,2147483647]";
    String edited = header.replaceFirst("\"shape\"\\s*:\\s*\\[[0-9, ]*\\]", "\"shape\":" + big);
    byte[] payload = java.util.Arrays.copyOfRange(armw, 16 + h, armw.length - 4);
    byte[] json = edited.getBytes(StandardCharsets.UTF_8);
    ByteBuffer o =
        ByteBuffer.allocate(16 + json.length + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    o.put(armw, 0, 12).putInt(json.length).put(json).put(payload);
    CRC32 crc = new CRC32();
    crc.update(o.array(), 0, o.position());
    o.putInt((int) crc.getValue());
    try {
      Files.write(file, o.array());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
