package io.armsr.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * Deterministic corruptions of a file's bytes: bit flips, truncations, header edits, and format-
 * aware edits of the declared image size (PNG IHDR with its CRC fixed, JPEG SOF, BMP header), so
 * that a damaged file is not always caught by a checksum before it reaches the decoder.
 */
public final class FuzzInputs {
  private FuzzInputs() {}

  /** One corrupted input: its kind (for the histogram) and bytes. */
  public record Case(String kind, byte[] bytes) {}

  /** Values that break size and offset arithmetic. */
  private static final int[] EDGE = {0, 1, 0x7f, 0x80, 0xff};

  /**
   * {@code png} with {@code chunks} text chunks inserted after its IHDR, each holding deflated
   * zeros that inflate to {@code megabytes} MB (a metadata bomb): zTXt, iTXt, zTXt, ... with
   * keywords {@code Comment0}, {@code Description1}, ...
   */
  public static byte[] withTextBombs(byte[] png, int chunks, int megabytes) {
    try {
      java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
      try (java.util.zip.DeflaterOutputStream d =
          new java.util.zip.DeflaterOutputStream(z, new java.util.zip.Deflater(9))) {
        byte[] zeros = new byte[1 << 20];
        for (int i = 0; i < megabytes; i++) {
          d.write(zeros);
        }
      }
      byte[] text = z.toByteArray();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      // Signature (8) and IHDR (25), then the bombs, then the rest (IDAT, IEND).
      out.write(png, 0, 33);
      for (int i = 0; i < chunks; i++) {
        java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream();
        if (i % 2 == 0) {
          // zTXt: keyword, NUL, compression method 0, compressed text.
          chunk.write(("Comment" + i).getBytes(StandardCharsets.ISO_8859_1));
          chunk.write(new byte[] {0, 0});
          chunk.write(text);
          out.write(pngChunk("zTXt", chunk.toByteArray()));
        } else {
          // iTXt: keyword, NUL, compressed flag 1, method 0, language NUL, translated NUL, text.
          chunk.write(("Description" + i).getBytes(StandardCharsets.ISO_8859_1));
          chunk.write(new byte[] {0, 1, 0, 0, 0});
          chunk.write(text);
          out.write(pngChunk("iTXt", chunk.toByteArray()));
        }
      }
      out.write(png, 33, png.length - 33);
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static byte[] pngChunk(String type, byte[] data) {
    byte[] t = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    return ByteBuffer.allocate(12 + data.length)
        .putInt(data.length)
        .put(t)
        .put(data)
        .putInt((int) crc.getValue())
        .array();
  }

  /** {@code n} cases of each kind in turn (flip, truncate, header, size), from {@code seed}. */
  public static Case[] mutate(byte[] original, int n, long seed) {
    Random rnd = new Random(seed);
    Case[] out = new Case[n];
    for (int i = 0; i < n; i++) {
      out[i] =
          switch (i % 4) {
            case 0 -> new Case("bit flips", flip(original, rnd));
            case 1 -> new Case("truncation", truncate(original, rnd));
            case 2 -> new Case("header edit", header(original, rnd));
            default -> new Case("size edit", size(original, rnd));
          };
    }
    return out;
  }

  static byte[] flip(byte[] b, Random rnd) {
    byte[] c = b.clone();
    int flips = 1 + rnd.nextInt(8);
    for (int k = 0; k < flips; k++) {
      int pos = rnd.nextInt(c.length);
      c[pos] ^= (byte) (1 << rnd.nextInt(8));
    }
    return c;
  }

  static byte[] truncate(byte[] b, Random rnd) {
    // Half of the cuts fall in the first 64 bytes, where headers are.
    int len = rnd.nextBoolean() ? rnd.nextInt(Math.min(64, b.length)) : rnd.nextInt(b.length);
    return Arrays.copyOf(b, len);
  }

  static byte[] header(byte[] b, Random rnd) {
    byte[] c = b.clone();
    int edits = 1 + rnd.nextInt(4);
    for (int k = 0; k < edits; k++) {
      int pos = rnd.nextInt(Math.min(64, c.length));
      c[pos] = (byte) (rnd.nextBoolean() ? EDGE[rnd.nextInt(EDGE.length)] : rnd.nextInt(256));
    }
    return c;
  }

  /** The declared size rewritten where the format keeps it; a header edit for other files. */
  static byte[] size(byte[] b, Random rnd) {
    int w = pickDimension(rnd);
    int h = pickDimension(rnd);
    byte[] c = b.clone();
    if (c.length > 33 && c[1] == 'P' && c[2] == 'N' && c[3] == 'G') {
      // IHDR data at 16..28, CRC at 29..32 recomputed so the decoder sees the edit.
      ByteBuffer.wrap(c, 16, 8).putInt(w).putInt(h);
      CRC32 crc = new CRC32();
      crc.update(c, 12, 17);
      ByteBuffer.wrap(c, 29, 4).putInt((int) crc.getValue());
      return c;
    }
    if (c.length > 30 && (c[0] & 0xff) == 0xFF && (c[1] & 0xff) == 0xD8) {
      for (int i = 2; i + 8 < c.length; i++) {
        if ((c[i] & 0xff) == 0xFF && ((c[i + 1] & 0xff) == 0xC0 || (c[i + 1] & 0xff) == 0xC2)) {
          ByteBuffer.wrap(c, i + 5, 4).putShort((short) h).putShort((short) w);
          return c;
        }
      }
    }
    if (c.length > 26 && c[0] == 'B' && c[1] == 'M') {
      ByteBuffer le = ByteBuffer.wrap(c).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      switch (rnd.nextInt(3)) {
        case 0 -> le.putInt(18, w).putInt(22, rnd.nextBoolean() ? h : -h);
        case 1 -> le.putShort(28, (short) EDGE[rnd.nextInt(EDGE.length)]); // bits per pixel
        default -> le.putInt(10, rnd.nextInt(1 << 20)); // pixel data offset
      }
      return c;
    }
    return header(b, rnd);
  }

  private static int pickDimension(Random rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> 0;
      case 1 -> 1 + rnd.nextInt(64);
      case 2 -> 60000 + rnd.nextInt(5000);
      case 3 -> Integer.MAX_VALUE - rnd.nextInt(3);
      default -> rnd.nextInt(4000);
    };
  }
}
