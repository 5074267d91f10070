package io.armsr.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * The committed fixtures under {@code /io/armsr/fixtures/} (written by {@code make_fixtures.py}
 * beside them) and helpers that derive broken archives from them.
 */
public final class Fixtures {
  private Fixtures() {}

  /** A fixture from {@code src/test/resources/io/armsr/fixtures/}, copied to {@code dir}. */
  public static Path copy(String name, Path dir) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/io/armsr/fixtures/" + name)) {
      if (in == null) {
        throw new IllegalStateException("fixture " + name + " is missing from the test resources");
      }
      Path out = dir.resolve(name);
      Files.write(out, in.readAllBytes());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The records of a zip file, in order. */
  public static Map<String, byte[]> records(Path zip) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipFile z = new ZipFile(zip.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Writes {@code records} as a zip file {@code dir/name}. */
  public static Path zip(Path dir, String name, Map<String, byte[]> records) {
    Path out = dir.resolve(name);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> r : records.entrySet()) {
        z.putNextEntry(new ZipEntry(r.getKey()));
        z.write(r.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.write(out, bytes.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A zip holding only {@code archive/data.pkl} with these pickle bytes. */
  public static Path pickleOnly(Path dir, String name, byte[] pickle) {
    Map<String, byte[]> records = new LinkedHashMap<>();
    records.put("archive/data.pkl", pickle);
    records.put("archive/version", "3\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return zip(dir, name, records);
  }

  /** Bytes from a string whose chars are all below 256 (pickle opcodes written by hand). */
  public static byte[] latin1(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * Replaces {@code from} by {@code to} (same length) once in {@code bytes}, e.g. a key inside a
   * pickle, so the pickle stays valid.
   */
  public static byte[] patch(byte[] bytes, String from, String to) {
    byte[] f = latin1(from);
    byte[] t = latin1(to);
    if (f.length != t.length) {
      throw new IllegalArgumentException("patch must keep the length");
    }
    outer:
    for (int i = 0; i + f.length <= bytes.length; i++) {
      for (int j = 0; j < f.length; j++) {
        if (bytes[i + j] != f[j]) {
          continue outer;
        }
      }
      byte[] out = bytes.clone();
      System.arraycopy(t, 0, out, i, t.length);
      return out;
    }
    throw new IllegalArgumentException("'" + from + "' not found");
  }
}
