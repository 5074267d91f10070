package io.armsr.io;

import io.armsr.image.Rgb8Image;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reading and writing 8-bit images (PNG, JPEG, BMP) as {@link Rgb8Image} (RGB, interleaved HWC).
 *
 * <p>Reading returns the file's raw sample values, as the official pipeline's {@code
 * cv2.imread(IMREAD_UNCHANGED)} does (ARM-SPEC 5.1), and never {@code BufferedImage.getRGB}, which
 * passes gray images through a colour-space (gamma) conversion and changes their values (ARM-SPEC
 * checklist 9.10):
 *
 * <ul>
 *   <li>gray (8-bit) is replicated into R = G = B; gray+alpha and RGBA lose their alpha;
 *   <li>palette images (and 1/2/4-bit gray, which ImageIO decodes as a gray palette) are looked up
 *       in their palette;
 *   <li>components of fewer than 8 bits (e.g. 16-bit 5-6-5 BMP) are scaled to 0..255, rounded;
 *   <li>16-bit samples and colour spaces other than gray and RGB (CMYK JPEG) are rejected, since
 *       the pipeline is defined on 8-bit RGB only;
 *   <li>embedded ICC profiles are ignored, as OpenCV ignores them: the raw values are returned.
 * </ul>
 *
 * <p>A decoder warning (a JPEG that ends early is decoded with gray filler and only a warning) is
 * treated as corruption: a silently damaged image would make every metric on it meaningless.
 *
 * <p>Writing picks the format from the file's extension and replaces the file atomically, so a
 * reader never sees a half-written image and a failed write leaves the old file in place.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** JPEG quality used by {@link #write}; ImageIO's default of 0.75 visibly blurs SR outputs. */
  public static final float JPEG_QUALITY = 0.95f;

  private static final Set<String> READ_FORMATS = Set.of("png", "jpeg", "bmp");

  /**
   * Reads a PNG, JPEG or BMP file as 8-bit RGB.
   *
   * @throws ImageReadException with a one-line message naming the file and the problem: missing,
   *     not readable, not a PNG/JPEG/BMP image, an unsupported layout, or corrupt/truncated data
   */
  public static Rgb8Image read(Path file) throws ImageReadException {
    if (Files.isDirectory(file)) {
      throw new ImageReadException(file, "is a directory, not an image file");
    }
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      throw new ImageReadException(file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new ImageReadException(file, "not readable (permission denied)", e);
    } catch (IOException e) {
      throw new ImageReadException(file, "not readable (" + oneLine(e) + ")", e);
    }
    try (in;
        ImageInputStream iis = new MemoryCacheImageInputStream(new BufferedInputStream(in))) {
      ImageReader reader = readerFor(iis);
      if (reader == null) {
        throw new ImageReadException(file, "not a PNG, JPEG or BMP image (unrecognised content)");
      }
      String format = reader.getFormatName().toUpperCase(Locale.ROOT);
      try {
        reader.setInput(iis, true, true);
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image = reader.read(0);
        if (!warnings.isEmpty()) {
          throw new ImageReadException(
              file,
              "corrupt or truncated "
                  + format
                  + " data ("
                  + warnings.get(0).replaceAll("\\s+", " ").trim()
                  + ")");
        }
        return toRgb8(image, file, format);
      } catch (ImageReadException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        // ImageIO decoders report damaged data as IIOException, EOFException, or sometimes as an
        // unchecked exception (index out of bounds, negative array size) from inside the decoder.
        throw new ImageReadException(
            file, "corrupt or truncated " + format + " data (" + oneLine(e) + ")", e);
      } finally {
        reader.dispose();
      }
    } catch (ImageReadException e) {
      throw e;
    } catch (IOException e) {
      throw new ImageReadException(file, "not readable (" + oneLine(e) + ")", e);
    }
  }

  /**
   * Writes {@code image} in the format named by the file's extension ({@code .png}, {@code .jpg} /
   * {@code .jpeg} at quality {@link #JPEG_QUALITY}, {@code .bmp}; case-insensitive). The image is
   * first written to a hidden temporary file in the same folder, flushed to disk, and then moved
   * over {@code file} with {@code ATOMIC_MOVE, REPLACE_EXISTING}; on any failure the temporary file
   * is deleted and {@code file} is left as it was.
   *
   * @throws IllegalArgumentException if the extension is not one of the above (nothing is written)
   * @throws IOException naming {@code file} if writing or moving fails
   */
  public static void write(Rgb8Image image, Path file) throws IOException {
    String format = formatForExtension(file);
    AtomicFiles.write(file, out -> encode(image, format, out));
  }

  /** The ImageIO format name for the extension of {@code file}, or IllegalArgumentException. */
  private static String formatForExtension(Path file) {
    Path name = file.getFileName();
    String s = name == null ? "" : name.toString();
    int dot = s.lastIndexOf('.');
    String ext = dot < 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
    switch (ext) {
      case "png":
        return "png";
      case "jpg":
      case "jpeg":
        return "jpeg";
      case "bmp":
        return "bmp";
      default:
        throw new IllegalArgumentException(
            "cannot write image "
                + file
                + ": "
                + (ext.isEmpty() ? "no extension" : "unknown extension '." + ext + "'")
                + " (use .png, .jpg, .jpeg or .bmp)");
    }
  }

  private static void encode(Rgb8Image image, String format, OutputStream out) throws IOException {
    int w = image.width();
    int h = image.height();
    BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.pixels();
    for (int i = 0; i < w * h; i++) {
      bgr[3 * i] = rgb[3 * i + 2];
      bgr[3 * i + 1] = rgb[3 * i + 1];
      bgr[3 * i + 2] = rgb[3 * i];
    }
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
    if (!writers.hasNext()) {
      throw new IOException("no ImageIO writer for " + format);
    }
    ImageWriter writer = writers.next();
    try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (format.equals("jpeg")) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(JPEG_QUALITY);
      }
      writer.write(null, new IIOImage(bi, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * The first PNG/JPEG/BMP reader that recognises the stream. Other ImageIO formats are not
   * considered: the WBMP reader in particular claims many arbitrary byte strings.
   */
  private static ImageReader readerFor(ImageInputStream iis) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
    ImageReader found = null;
    while (readers.hasNext()) {
      ImageReader r = readers.next();
      if (found == null && READ_FORMATS.contains(r.getFormatName().toLowerCase(Locale.ROOT))) {
        found = r;
      } else {
        r.dispose();
      }
    }
    return found;
  }

  /** Raw raster values to RGB bytes (see the class comment for the rules). */
  private static Rgb8Image toRgb8(BufferedImage image, Path file, String format)
      throws ImageReadException {
    int w = image.getWidth();
    int h = image.getHeight();
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    byte[] out = new byte[w * h * 3];
    int[] row = new int[w];
    if (cm instanceof IndexColorModel) {
      IndexColorModel palette = (IndexColorModel) cm;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int o = (y * w + x) * 3;
          out[o] = (byte) palette.getRed(row[x]);
          out[o + 1] = (byte) palette.getGreen(row[x]);
          out[o + 2] = (byte) palette.getBlue(row[x]);
        }
      }
      return new Rgb8Image(w, h, out);
    }
    int colours = cm.getNumColorComponents();
    int space = cm.getColorSpace().getType();
    boolean gray = space == ColorSpace.TYPE_GRAY && colours == 1;
    if (!gray && !(space == ColorSpace.TYPE_RGB && colours == 3)) {
      throw new ImageReadException(
          file,
          "unsupported "
              + format
              + " colour layout ("
              + colours
              + " colour components, colour space type "
              + space
              + "); only gray and RGB are supported");
    }
    // Colour components come first in the raster's bands, alpha (ignored) last.
    for (int c = 0; c < colours; c++) {
      int bits = cm.getComponentSize(c);
      if (bits > 8) {
        throw new ImageReadException(
            file, bits + "-bit samples are not supported (8-bit images only); convert to 8 bits");
      }
      int max = (1 << bits) - 1;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, c, row);
        for (int x = 0; x < w; x++) {
          int v = bits == 8 ? row[x] : (row[x] * 255 + max / 2) / max;
          int o = (y * w + x) * 3;
          if (gray) {
            out[o] = out[o + 1] = out[o + 2] = (byte) v;
          } else {
            out[o + c] = (byte) v;
          }
        }
      }
    }
    return new Rgb8Image(w, h, out);
  }

  private static String oneLine(Throwable e) {
    return AtomicFiles.oneLine(e);
  }
}
