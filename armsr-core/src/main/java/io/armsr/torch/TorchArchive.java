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
import java.util.List;
import java.util.Map;
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
  /** data.pkl of a state dict is kilobytes; refuse absurd sizes rather than exhaust memory. */
  private static final long MAX_RECORD_BYTES = Integer.MAX_VALUE - 16;

  private final Path file;
  private final ZipFile zip;
  private final String prefix;
  private final ByteOrder byteOrder;
  private final Object root;
  private final Map<String, float[]> storages = new HashMap<>();

  private TorchArchive(Path file, ZipFile zip, String prefix) {
    this.file = file;
    this.zip = zip;
    this.prefix = prefix;
    this.byteOrder = readByteOrder();
    checkVersion();
    this.root = RestrictedUnpickler.load(file, read(prefix + "data.pkl", null));
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
    long n = 1;
    long last = t.offset();
    for (int k = 0; k < size.length; k++) {
      if (size[k] < 0 || stride[k] < 0) {
        throw new CheckpointFormatException(
            file,
            what + " has size " + Arrays.toString(size) + " stride " + Arrays.toString(stride));
      }
      n = Math.multiplyExact(n, size[k]);
      last += (size[k] - 1) * stride[k];
    }
    if (n > Integer.MAX_VALUE - 16) {
      throw new CheckpointFormatException(file, what + " has " + n + " elements, too many");
    }
    if (n == 0) {
      return new WeightTensor(size, new float[0]);
    }
    if (t.offset() < 0 || last >= t.storageNumel()) {
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
    byte[] blob = read(prefix + "data/" + t.storageKey(), what);
    long expected = t.storageNumel() * Float.BYTES;
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
    return values;
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
   * @param what the tensor the record belongs to, for the message (null for data.pkl)
   */
  private byte[] read(String record, String what) {
    String context = what == null ? "" : what + ": ";
    ZipEntry entry = zip.getEntry(record);
    if (entry == null) {
      throw new CheckpointFormatException(file, context + "record " + record + " is missing");
    }
    if (entry.getSize() > MAX_RECORD_BYTES) {
      throw new CheckpointFormatException(
          file, context + "record " + record + " is too large (" + entry.getSize() + " bytes)");
    }
    byte[] bytes;
    try (InputStream in = zip.getInputStream(entry)) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new CheckpointFormatException(
          file, context + "record " + record + " cannot be read (" + e.getMessage() + ")", e);
    }
    if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
      throw new CheckpointFormatException(
          file,
          context
              + "record "
              + record
              + " has "
              + bytes.length
              + " bytes, the zip index says "
              + entry.getSize());
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

  /** Newer torch writes {@code byteorder} ("little"/"big"); older files are little-endian. */
  private ByteOrder readByteOrder() {
    if (zip.getEntry(prefix + "byteorder") == null) {
      return ByteOrder.LITTLE_ENDIAN;
    }
    String s = new String(read(prefix + "byteorder", null), StandardCharsets.US_ASCII).strip();
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
    String s = new String(read(prefix + "version", null), StandardCharsets.US_ASCII).strip();
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
