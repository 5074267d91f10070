package io.armsr.imagefile;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Whether an image file holds more than one frame (TIFF pages, an animated PNG, an animated WebP),
 * of which armsr upscales only the first: the caller says so rather than dropping the others
 * silently. Reads only container structure (chunk headers, IFD links), in time proportional to the
 * file's size and in constant memory.
 */
public final class ImageFrames {
  private ImageFrames() {}

  /** At most this many TIFF pages are counted ("more than" beyond). */
  static final int MAX_COUNTED = 10_000;

  /**
   * The number of frames of {@code file} when it has more than one, else 1 (also for a format with
   * single frames only, or a file whose structure cannot be read: the decoder reports those).
   */
  public static int count(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(16);
      if (head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N') {
        return pngFrames(file);
      }
      if (head.length >= 16
          && head[0] == 'R'
          && head[1] == 'I'
          && head[8] == 'W'
          && head[12] == 'V'
          && head[15] == 'X') {
        return webpFrames(file);
      }
      if (head.length >= 4
          && ((head[0] == 'I' && head[1] == 'I') || (head[0] == 'M' && head[1] == 'M'))) {
        return tiffPages(file);
      }
      return 1;
    } catch (IOException | RuntimeException e) {
      return 1;
    }
  }

  /** APNG: an {@code acTL} chunk before the first {@code IDAT} gives the frame count. */
  private static int pngFrames(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      in.skipNBytes(8);
      while (true) {
        long length = in.readInt() & 0xffffffffL;
        int type = in.readInt();
        if (type == 0x6163544c) { // acTL
          int frames = in.readInt();
          return Math.max(1, frames);
        }
        if (type == 0x49444154 || type == 0x49454e44) { // IDAT, IEND
          return 1;
        }
        in.skipNBytes(length + 4);
      }
    } catch (EOFException e) {
      return 1;
    }
  }

  /** Animated WebP: one {@code ANMF} chunk per frame. */
  private static int webpFrames(Path file) throws IOException {
    int frames = 0;
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      in.skipNBytes(12);
      while (true) {
        byte[] fourcc = new byte[4];
        in.readFully(fourcc);
        long size = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        if (fourcc[0] == 'A' && fourcc[1] == 'N' && fourcc[2] == 'M' && fourcc[3] == 'F') {
          frames++;
        }
        in.skipNBytes(size + (size & 1));
      }
    } catch (EOFException e) {
      return Math.max(1, frames);
    }
  }

  /** TIFF: the number of IFDs, as the TIFF reader counts them (following the IFD links). */
  private static int tiffPages(Path file) throws IOException {
    try (ImageInputStream iis = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
      if (!readers.hasNext()) {
        return 1;
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(iis, false, true);
        int n = reader.getNumImages(true);
        return n < 1 ? 1 : Math.min(n, MAX_COUNTED);
      } finally {
        reader.dispose();
      }
    }
  }
}
