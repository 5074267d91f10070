package io.armsr.torch;

import io.armsr.model.WeightTensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A PyTorch (>= 1.6) checkpoint archive, read without Python (ARM.md 7): a zip file whose single
 * top folder (named {@code archive/} in the official files, after the file in newer torch) holds
 * {@code data.pkl}, the pickled object, and {@code data/<key>}, one raw blob per storage.
 *
 * <p>{@link #root()} is the unpickled object with every tensor left as a {@link StoredTensor};
 * {@link #tensor(StoredTensor, String)} reads its values. Only {@code FloatStorage} (float32) is
 * decoded, the only kind in ARM's files. Every failure is a {@link CheckpointFormatException}
 * naming this file. Not thread-safe; close it to release the file.
 */
public final class TorchArchive implements AutoCloseable {
  /**
   * data.pkl of a state dict or an ARM .state is kilobytes (the official ones: under 100 kB, LUT
   * arrays included); anything larger is refused before it is inflated.
   */
  static final long MAX_PICKLE_BYTES = 16L << 20;

  /** The {@code version} and {@code byteorder} records hold a word. */
  private static final long MAX_TEXT_RECORD_BYTES = 64;

  /**
   * Float32 elements all the storages read from one archive may hold together: twice the largest
   * supernet, so that an archive of many storages, each of them plausible, cannot add up to
   * gigabytes.
   */
  static final long MAX_STORAGE_ELEMENTS = 2 * ModelLimits.MAX_PARAMETERS;

  private final Path file;
  private final ZipFile zip;
  private final String prefix;
  private final ByteOrder byteOrder;
  private final Object root;
  private final Map<String, float[]> storages = new HashMap<>();
  private long storageElementsRead;

  private TorchArchive(Path file, ZipFile zip, String prefix) {
    this.file = file;
    this.zip = zip;
    this.prefix = prefix;
    this.byteOrder = readByteOrder();
    checkVersion();
    this.root = RestrictedUnpickler.load(file, read(prefix + "data.pkl", null, MAX_PICKLE_BYTES));
  }

  /**
   * Opens {@code file} and unpickles its {@code data.pkl}.
   *
   * @throws CheckpointFormatException if the file is missing, not a zip archive, lacks {@code
   *     data.pkl}, or its pickle is not of the supported subset
   */
  public static TorchArchive open(Path file) {
    if (Files.isDirectory(file)) {
      throw new CheckpointFormatException(file, "is a directory, not a checkpoint file");
    }
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (NoSuchFileException e) {
      throw new CheckpointFormatException(file, "no such file", e);
    } catch (ZipException e) {
      throw new CheckpointFormatException(file, notZip(file, e), e);
    } catch (IOException e) {
      if (!Files.exists(file)) {
        throw new CheckpointFormatException(file, "no such file", e);
      }
      throw new CheckpointFormatException(file, "cannot be read (" + e.getMessage() + ")", e);
    }
    try {
      refuseDuplicates(file, zip);
      return new TorchArchive(file, zip, findPrefix(file, zip));
    } catch (RuntimeException e) {
      closeQuietly(zip, e);
      throw e;
    }
  }

  /** The file this archive was opened from. */
  public Path file() {
    return file;
  }

  /** The top folder of the archive's records, with its slash, e.g. {@code archive/}. */
  public String prefix() {
    return prefix;
  }

  /**
   * The unpickled object: {@link Map}, {@link List}, {@code Object[]} (tuples), strings, numbers,
   * booleans, {@code byte[]}, null, {@link StoredTensor} and {@link NumpyArray}.
   */
  public Object root() {
    return root;
  }

  /**
   * Reads the values of a tensor of this archive, honouring its storage offset and strides, into a
   * row-major {@link WeightTensor}.
   *
   * @param name the tensor's key in the state dict, for error messages (may be null)
   * @throws CheckpointFormatException if its storage is not float32, its blob is missing or of the
   *     wrong length, or its view reaches outside the storage
   */
  public WeightTensor tensor(StoredTensor t, String name) {
    String what =
        (name == null ? "tensor" : "tensor '" + name + "'") + " (data/" + t.storageKey() + ")";
    if (!t.storageType().equals("FloatStorage")) {
      throw new CheckpointFormatException(
          file, what + " is a " + t.storageType() + "; only FloatStorage (float32) is supported");
    }
    long[] size = t.size();
    long[] stride = t.stride();
    for (int k = 0; k < size.length; k++) {
      if (size[k] < 0 || stride[k] < 0) {
        throw new CheckpointFormatException(
            file,
            what + " has size " + Arrays.toString(size) + " stride " + Arrays.toString(stride));
      }
    }
    // Sizes, strides and offsets come from the file: every product and sum below is exact, so a
    // size of 2^32 x 2^32 or a stride near 2^62 cannot wrap around into a small, accepted number.
    long n = 1;
    long last = t.offset();
    boolean outside = t.offset() < 0;
    for (int k = 0; k < size.length; k++) {
      n = exactProduct(n, size[k]);
      if (n > ModelLimits.MAX_PARAMETERS) {
        throw new CheckpointFormatException(
            file,
            what
                + " of size "
                + Arrays.toString(size)
                + " has more elements than any ARM supernet has parameters ("
                + ModelLimits.MAX_PARAMETERS
                + ")");
      }
    }
    if (n == 0) {
      return new WeightTensor(size, new float[0]);
    }
    for (int k = 0; k < size.length && !outside; k++) {
      last = exactSum(last, exactProduct(size[k] - 1, stride[k]));
    }
    if (outside || last >= t.storageNumel()) {
      throw new CheckpointFormatException(
          file,
          what
              + " with offset "
              + t.offset()
              + ", size "
              + Arrays.toString(size)
              + " and stride "
              + Arrays.toString(stride)
              + " reaches outside its storage of "
              + t.storageNumel()
              + " elements");
    }
    float[] storage = storage(t, what);
    // From here on every position lies in [offset, last], within the storage just read.
    float[] out = new float[(int) n];
    if (isContiguous(size, stride)) {
      System.arraycopy(storage, (int) t.offset(), out, 0, out.length);
      return new WeightTensor(size, out);
    }
    // General strided view: walk the output in row-major order with a multi-index.
    int[] idx = new int[size.length];
    long pos = t.offset();
    for (int i = 0; i < out.length; i++) {
      out[i] = storage[(int) pos];
      for (int k = size.length - 1; k >= 0; k--) {
        if (++idx[k] < size[k]) {
          pos += stride[k];
          break;
        }
        pos -= (size[k] - 1) * stride[k];
        idx[k] = 0;
      }
    }
    return new WeightTensor(size, out);
  }

  @Override
  public void close() {
    try {
      zip.close();
    } catch (IOException e) {
      // Read-only file: nothing was written that closing could lose.
    }
  }

  private float[] storage(StoredTensor t, String what) {
    float[] cached = storages.get(t.storageKey());
    if (cached != null) {
      if (cached.length != t.storageNumel()) {
        throw new CheckpointFormatException(
            file,
            what
                + " claims "
                + t.storageNumel()
                + " elements in a shared storage of "
                + cached.length);
      }
      return cached;
    }
    long budget = MAX_STORAGE_ELEMENTS - storageElementsRead;
    if (t.storageNumel() > budget) {
      throw new CheckpointFormatException(
          file,
          what
              + " lies in a storage of "
              + t.storageNumel()
              + " elements; with the storages already read that is more than "
              + MAX_STORAGE_ELEMENTS
              + ", twice the largest ARM supernet's parameters");
    }
    long expected = t.storageNumel() * Float.BYTES;
    byte[] blob = read(prefix + "data/" + t.storageKey(), what, expected);
    if (blob.length != expected) {
      throw new CheckpointFormatException(
          file,
          what
              + ": storage blob has "
              + blob.length
              + " bytes, expected "
              + t.storageNumel()
              + " float32 = "
              + expected);
    }
    float[] values = new float[(int) t.storageNumel()];
    ByteBuffer.wrap(blob).order(byteOrder).asFloatBuffer().get(values);
    storages.put(t.storageKey(), values);
    storageElementsRead += values.length;
    return values;
  }

  /** {@code a * b}, saturated at {@link Long#MAX_VALUE} (both are non-negative). */
  private static long exactProduct(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** {@code a + b}, saturated at {@link Long#MAX_VALUE} (both are non-negative). */
  private static long exactSum(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static boolean isContiguous(long[] size, long[] stride) {
    long expected = 1;
    for (int k = size.length - 1; k >= 0; k--) {
      // A dimension of extent 1 may carry any stride (torch leaves them arbitrary).
      if (size[k] != 1 && stride[k] != expected) {
        return false;
      }
      expected *= size[k];
    }
    return true;
  }

  /**
   * Reads a whole record, checking its CRC: a stored (uncompressed) entry is not checked by {@link
   * ZipFile}, and a flipped bit in a weight would otherwise pass silently.
   *
   * <p>At most {@code limit} bytes are ever read, and no more than the zip index declares: a
   * deflated record may inflate to far more than it says (a compression bomb of a few megabytes
   * holding gigabytes of zeros), so the stream is read up to the declared size plus one byte, and
   * that one byte more is the proof of a lie.
   *
   * @param what the tensor the record belongs to, for the message (null for data.pkl)
   * @param limit the most bytes the caller can use: the exact size of a storage, or a bound
   */
  private byte[] read(String record, String what, long limit) {
    String context = what == null ? "" : what + ": ";
    ZipEntry entry = zip.getEntry(record);
    if (entry == null) {
      throw new CheckpointFormatException(file, context + "record " + record + " is missing");
    }
    long declared = entry.getSize();
    if (declared > limit) {
      throw new CheckpointFormatException(
          file,
          context
              + "record "
              + record
              + " is too large ("
              + declared
              + " bytes, at most "
              + limit
              + " expected)");
    }
    long bound = declared >= 0 ? declared : limit;
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readNBytes((int) bound + 1);
    } catch (IOException e) {
      throw new CheckpointFormatException(
          file, context + "record " + record + " cannot be read (" + e.getMessage() + ")", e);
    }
    if (bytes.length > bound) {
      throw new CheckpointFormatException(
          file,
          context
              + "record "
              + record
              + " holds more than the "
              + bound
              + " bytes "
              + (declared >= 0 ? "the zip index declares" : "expected")
              + " (a compression bomb?)");
    }
    if (declared >= 0 && bytes.length != declared) {
      throw new CheckpointFormatException(
          file,
          context
              + "record "
              + record
              + " has "
              + bytes.length
              + " bytes, the zip index says "
              + declared);
    }
    if (entry.getCrc() >= 0) {
      CRC32 crc = new CRC32();
      crc.update(bytes);
      if (crc.getValue() != entry.getCrc()) {
        throw new CheckpointFormatException(
            file, context + "record " + record + " is corrupt (CRC mismatch)");
      }
    }
    return bytes;
  }

  /**
   * Refuses an archive holding two records of one name. {@link ZipFile#getEntry} picks one copy and
   * PyTorch's reader another, so such a file would be two different models; none of torch's own
   * files has one.
   */
  private static void refuseDuplicates(Path file, ZipFile zip) {
    Set<String> names = new HashSet<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      if (!names.add(name)) {
        throw new CheckpointFormatException(
            file, "zip archive holds the record " + name + " twice: ambiguous, refusing it");
      }
    }
  }

  /** Newer torch writes {@code byteorder} ("little"/"big"); older files are little-endian. */
  private ByteOrder readByteOrder() {
    if (zip.getEntry(prefix + "byteorder") == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    String s =
        new String(
                read(prefix + "byteorder", null, MAX_TEXT_RECORD_BYTES), StandardCharsets.US_ASCII)
            .strip();
    return switch (s) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default ->
          throw new CheckpointFormatException(
              file, "record " + prefix + "byteorder says '" + s + "', not little or big");
    };
  }

  /** The official files carry {@code version = "3\n"}; torch itself rejects a non-integer one. */
  private void checkVersion() {
    if (zip.getEntry(prefix + "version") == null) {
      return;
    }
    String s =
        new String(read(prefix + "version", null, MAX_TEXT_RECORD_BYTES), StandardCharsets.US_ASCII)
            .strip();
    if (!s.matches("[0-9]{1,9}")) {
      throw new CheckpointFormatException(
          file, "record " + prefix + "version is '" + s + "', not a format version number");
    }
  }

  private static String findPrefix(Path file, ZipFile zip) {
    List<String> found = new ArrayList<>();
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      int slash = name.indexOf('/');
      if (slash > 0 && name.substring(slash + 1).equals("data.pkl")) {
        found.add(name.substring(0, slash + 1));
      }
    }
    if (found.isEmpty()) {
      throw new CheckpointFormatException(
          file, "zip archive without a <folder>/data.pkl record: not a PyTorch checkpoint");
    }
    if (found.size() > 1) {
      throw new CheckpointFormatException(
          file, "zip archive with several data.pkl records " + found + ": ambiguous");
    }
    return found.get(0);
  }

  /**
   * Pre-1.6 torch.save wrote a bare pickle stream (magic 0x80 0x02): say so rather than "bad zip".
   */
  private static String notZip(Path file, ZipException e) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(2);
      if (head.length == 2 && (head[0] & 0xFF) == 0x80 && head[1] == 0x02) {
        return "legacy (PyTorch < 1.6) checkpoint format is not supported; re-save it with a newer"
            + " torch";
      }
    } catch (IOException ignored) {
      // Fall through to the generic message.
    }
    return "not a zip archive, so not a PyTorch >= 1.6 checkpoint (" + e.getMessage() + ")";
  }

  private static void closeQuietly(ZipFile zip, RuntimeException pending) {
    try {
      zip.close();
    } catch (IOException e) {
      pending.addSuppressed(e);
    }
  }
}
