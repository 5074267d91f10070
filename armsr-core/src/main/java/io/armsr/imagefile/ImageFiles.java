package io.armsr.imagefile;

import io.armsr.image.Rgb8Image;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
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
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Reading and writing images: PNG (1..16-bit gray, gray+alpha, palette, RGB, RGBA), JPEG (gray,
 * RGB, CMYK/YCCK), BMP, TIFF (8/16-bit) and WebP (read only), through ImageIO with the
 * TwelveMonkeys plugins.
 *
 * <p>Reading returns a {@link DecodedImage}: the 8-bit RGB view the pipeline works on, plus alpha,
 * gray-ness and 16-bit samples for writing the output back in kind. The RGB view holds the file's
 * raw sample values, as the official pipeline's {@code cv2.imread(IMREAD_UNCHANGED)} does (ARM.md
 * 5.1), and never {@code BufferedImage.getRGB}, which passes gray images through a colour-space
 * (gamma) conversion and changes their values (ARM.md 9.10):
 *
 * <ul>
 *   <li>gray is replicated into R = G = B;
 *   <li>palette images (and 1/2/4-bit gray, which ImageIO decodes as a gray palette) are looked up
 *       in their palette; a palette of grays only counts as gray;
 *   <li>components of fewer than 8 bits (e.g. 16-bit 5-6-5 BMP) are scaled to 0..255, rounded;
 *       16-bit samples are rounded to 8 bits for the RGB view ({@code round(v / 257)}) and kept;
 *   <li>CMYK and YCCK JPEGs are converted to RGB by the TwelveMonkeys reader; other colour spaces,
 *       and samples that are neither at most 8 nor exactly 16 bits (float TIFF), are rejected;
 *   <li>embedded ICC profiles are not applied to the pixels, as OpenCV ignores them; the profile,
 *       EXIF and XMP are kept as {@link DecodedImage#metadata} ({@link ImageMetadata}) and written
 *       to PNG, JPEG and TIFF outputs;
 *   <li>the EXIF orientation (of a JPEG, PNG, WebP or TIFF) is applied, so the image is upscaled as
 *       it is displayed, and the EXIF block kept then says 1.
 * </ul>
 *
 * <p>The width and height are read from the file's header and checked against a {@link ReadLimits}
 * before the pixels are decoded (a guard against decompression bombs). A decoder warning (a JPEG
 * that ends early is decoded with gray filler and only a warning) is treated as corruption: a
 * silently damaged image would make every metric on it meaningless.
 *
 * <p>Writing picks the format from the file's extension ({@link ImageFormat}) and replaces the file
 * atomically ({@link AtomicFiles}), so a reader never sees a half-written image and a failed write
 * leaves the old file in place.
 */
public final class ImageFiles {
  private ImageFiles() {}

  /** JPEG quality used by {@link #write}; ImageIO's default of 0.75 visibly blurs SR outputs. */
  public static final float JPEG_QUALITY = 0.95f;

  /** {@link #JPEG_QUALITY} on the 1..100 scale of {@code --quality}. */
  public static final int DEFAULT_JPEG_QUALITY = 95;

  private static final Set<String> READ_FORMATS = Set.of("png", "jpeg", "bmp", "tiff", "webp");

  private static final String FORMATS = "PNG, JPEG, BMP, TIFF or WebP";

  /**
   * Reads an image file as 8-bit RGB (alpha dropped, 16 bits rounded to 8), with the default {@link
   * ReadLimits}.
   *
   * @throws ImageReadException as {@link #readImage}
   */
  public static Rgb8Image read(Path file) throws ImageReadException {
    return readImage(file, ReadLimits.DEFAULT).rgb();
  }

  /**
   * Reads a PNG, JPEG, BMP, TIFF or WebP file.
   *
   * @throws ImageReadException with a one-line message naming the file and the problem: missing,
   *     not readable, not an image of those formats, larger than {@code limits}, an unsupported
   *     layout, or corrupt/truncated data
   */
  public static DecodedImage readImage(Path file, ReadLimits limits) throws ImageReadException {
    if (Files.isDirectory(file)) {
      throw new ImageReadException(file, "is a directory, not an image file");
    }
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (NoSuchFileException e) {
      if (file.toString().indexOf('\uFFFD') >= 0) {
        // Java decodes command-line arguments in the file-name encoding; bytes that are not valid
        // in it are lost before armsr sees them. A folder listing keeps them.
        throw new ImageReadException(
            file,
            "no such file (the name given is not valid "
                + System.getProperty("sun.jnu.encoding", "in the file-name encoding")
                + "; pass the folder that holds it, or rename it)",
            e);
      }
      throw new ImageReadException(file, "no such file", e);
    } catch (AccessDeniedException e) {
      throw new ImageReadException(file, "not readable (permission denied)", e);
    } catch (IOException e) {
      throw new ImageReadException(file, "not readable (" + oneLine(e) + ")", e);
    }
    try (in;
        ImageInputStream iis = new MemoryCacheImageInputStream(new BufferedInputStream(in))) {
      return decode(iis, file, limits, format -> MetadataReader.readAll(file, format));
    } catch (ImageReadException e) {
      throw e;
    } catch (IOException e) {
      throw new ImageReadException(file, "not readable (" + oneLine(e) + ")", e);
    }
  }

  /**
   * Reads an image held in memory ({@code bytes}, e.g. the body of an HTTP request) exactly as
   * {@link #readImage(Path, ReadLimits)} reads a file of those bytes, metadata included, without
   * writing it anywhere.
   *
   * @param name how messages name the image, in place of a file name (e.g. {@code "upload.png"})
   * @throws ImageReadException as {@link #readImage(Path, ReadLimits)}, naming {@code name}
   */
  public static DecodedImage readImage(byte[] bytes, String name, ReadLimits limits)
      throws ImageReadException {
    Path label = Path.of(name);
    try (ImageInputStream iis = new ByteArrayImageInput(bytes)) {
      return decode(
          iis,
          label,
          limits,
          format -> {
            try (ImageInputStream meta = new ByteArrayImageInput(bytes)) {
              return MetadataReader.readAll(meta, format);
            }
          });
    } catch (ImageReadException e) {
      throw e;
    } catch (IOException e) {
      throw new ImageReadException(label, "not readable (" + oneLine(e) + ")", e);
    }
  }

  /** The metadata of the image being decoded, once ImageIO has named its format. */
  private interface MetadataSource {
    MetadataReader.Result apply(String format) throws IOException;
  }

  /**
   * Decodes the image {@code iis} holds (its whole content, from position 0); {@code file} names it
   * in messages.
   */
  private static DecodedImage decode(
      ImageInputStream iis, Path file, ReadLimits limits, MetadataSource metadataOf)
      throws IOException {
    if (iis.read() < 0) {
      throw new ImageReadException(file, "empty file (0 bytes)");
    }
    iis.seek(0);
    ImageReader reader = readerFor(iis);
    if (reader == null) {
      throw new ImageReadException(file, "not a " + FORMATS + " image (unrecognised content)");
    }
    String format = reader.getFormatName().toUpperCase(Locale.ROOT);
    try {
      MetadataReader.Result read = metadataOf.apply(format);
      ImageMetadata metadata = namingFile(file, read.metadata());
      int orientation = metadata.exif() == null ? 1 : ExifBlock.orientation(metadata.exif());
      if (format.equals("WEBP")) {
        checkRiffSize(file, iis);
      }
      // PNG text chunks (tEXt, zTXt, iTXt) are metadata armsr does not use, and a compressed one
      // can inflate to gigabytes from a few kilobytes: the PNG reader skips every ancillary
      // chunk (transparency and palette are still read) when told to ignore metadata. Other
      // formats need what their readers file as metadata (JPEG colour conversion, TIFF tags).
      ImageInputStream input = iis;
      if (format.equals("WEBP")) {
        input = new EndGuardedInput(iis);
      } else if (read.unreadableTiffIcc() >= 0) {
        // field type 0: skipped
        input = new PatchedInput(iis, read.unreadableTiffIcc() + 2, new byte[2]);
      }
      reader.setInput(input, true, format.equals("PNG"));
      List<String> warnings = new ArrayList<>();
      reader.addIIOReadWarningListener(
          (source, warning) -> {
            // Colour-profile notes (a CMYK JPEG without its ICC profile is converted with a
            // generic one) say nothing about damaged pixels; every other warning does.
            if (!warning.contains("ICC")) {
              warnings.add(warning);
            }
          });
      int w = reader.getWidth(0);
      int h = reader.getHeight(0);
      if (w <= 0 || h <= 0) {
        throw new ImageReadException(
            file, "corrupt " + format + " header (image size " + w + "x" + h + ")");
      }
      long pixels = (long) w * h;
      if (pixels > limits.maxPixels()) {
        throw new ImageReadException(
            file,
            String.format(
                Locale.ROOT,
                "%dx%d = %,d pixels is over the limit of %,d pixels (%s)",
                w,
                h,
                pixels,
                limits.maxPixels(),
                limits.limitName()));
      }
      if (limits.headerCheck() != null) {
        ImageHeader header = header(reader, file, format, w, h, orientation);
        try {
          limits.headerCheck().check(header);
        } catch (RuntimeException e) {
          throw new CheckFailed(e); // the caller's, not the decoder's: passed on as it is
        }
      }
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
      if (image.getWidth() != w || image.getHeight() != h) {
        throw new ImageReadException(
            file,
            "corrupt "
                + format
                + " data (header says "
                + w
                + "x"
                + h
                + ", decoded "
                + image.getWidth()
                + "x"
                + image.getHeight()
                + ")");
      }
      DecodedImage decoded = toDecoded(image, file, format);
      if (orientation != 1) {
        decoded = orient(decoded, orientation);
        metadata = metadata.withExif(ExifBlock.withOrientation1(metadata.exif()));
      }
      return decoded.withMetadata(metadata);
    } catch (ImageReadException e) {
      throw e;
    } catch (CheckFailed e) {
      throw (RuntimeException) e.getCause();
    } catch (IOException | RuntimeException e) {
      // ImageIO decoders report damaged data as IIOException, EOFException, or sometimes as an
      // unchecked exception (index out of bounds, negative array size) from inside the decoder.
      throw new ImageReadException(
          file, "corrupt or truncated " + format + " data (" + decoderProblem(e) + ")", e);
    } catch (OutOfMemoryError e) {
      // Only a damaged file that passed the pixel limit gets here (e.g. a huge declared palette
      // or strip count); the allocation that failed is released with the reader.
      throw new ImageReadException(
          file, "corrupt " + format + " data (decoder ran out of memory)", e);
    } finally {
      reader.dispose();
    }
  }

  /**
   * The header of the image {@code reader} is set to, {@code w x h} as stored: the size as
   * displayed under {@code orientation}, and the depth and alpha of the image type the reader would
   * decode to (8 bits without alpha when it does not say).
   */
  private static ImageHeader header(
      ImageReader reader, Path file, String format, int w, int h, int orientation)
      throws IOException {
    ImageTypeSpecifier type = reader.getRawImageType(0);
    if (type == null) {
      Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
      type = types.hasNext() ? types.next() : null;
    }
    int depth = 8;
    boolean alpha = false;
    if (type != null) {
      ColorModel cm = type.getColorModel();
      alpha = cm != null && cm.hasAlpha();
      for (int bits : type.getSampleModel().getSampleSize()) {
        depth = bits > 8 ? 16 : depth;
      }
    }
    boolean swap = ExifOrientation.swapsAxes(orientation);
    return new ImageHeader(file, format, swap ? h : w, swap ? w : h, depth, alpha);
  }

  /** The metadata {@code m} of {@code file}, its notes naming the file. */
  private static ImageMetadata namingFile(Path file, ImageMetadata m) {
    if (m.notes().isEmpty()) {
      return m;
    }
    List<String> notes = new ArrayList<>();
    for (String note : m.notes()) {
      notes.add(file + ": " + note);
    }
    return new ImageMetadata(m.icc(), m.exif(), m.xmp(), notes);
  }

  /**
   * Writes {@code image} as 8-bit RGB in the format named by the file's extension (see {@link
   * #writeImage}), JPEG at quality {@link #JPEG_QUALITY}.
   *
   * @throws IllegalArgumentException if the extension is not a writable format (nothing is written)
   * @throws IOException naming {@code file} if writing or moving fails
   */
  public static void write(Rgb8Image image, Path file) throws IOException {
    writeImage(DecodedImage.of(image), file, DEFAULT_JPEG_QUALITY);
  }

  /**
   * Writes {@code image} in the format named by the file's extension ({@link
   * ImageFormat#forOutput}): gray stays gray, alpha and 16-bit samples are kept where the format
   * allows (PNG, TIFF). Otherwise they are dropped and the returned list says so, one line each:
   * JPEG and BMP get the colour samples only (not composited) at 8 bits. The image's metadata (ICC
   * profile, EXIF, XMP) goes into PNG, JPEG and TIFF outputs ({@link MetadataWriter}); BMP drops it
   * with a warning, and what was dropped on read is reported here too. The image is first written
   * to a hidden temporary file in the same folder, flushed to disk, and then moved over {@code
   * file} ({@link AtomicFiles}); on any failure the temporary file is deleted and {@code file} is
   * left as it was.
   *
   * @param jpegQuality 1..100, used for JPEG only
   * @return warnings about what the format could not hold, empty if none
   * @throws IllegalArgumentException for an unwritable extension or a quality outside 1..100
   *     (nothing is written)
   * @throws IOException naming {@code file} if writing or moving fails
   */
  public static List<String> writeImage(DecodedImage image, Path file, int jpegQuality)
      throws IOException {
    Encoding e = prepare(image, ImageFormat.forOutput(file), jpegQuality, file.toString());
    AtomicFiles.write(file, e::writeTo);
    return e.warnings;
  }

  /**
   * Encodes {@code image} in {@code format} to {@code out} (e.g. an HTTP response), exactly the
   * bytes {@link #writeImage(DecodedImage, Path, int)} would write to a file of that format; {@code
   * out} is not closed.
   *
   * @param name how warnings name the image, in place of a file name
   * @return warnings about what the format could not hold, empty if none
   * @throws IllegalArgumentException for a quality outside 1..100 (nothing is written)
   */
  public static List<String> writeImage(
      DecodedImage image, ImageFormat format, int jpegQuality, String name, OutputStream out)
      throws IOException {
    Encoding e = prepare(image, format, jpegQuality, name);
    e.writeTo(out);
    return e.warnings;
  }

  /** An image ready to encode: its pixels for the writer, the metadata to add, the warnings. */
  private record Encoding(
      BufferedImage bi,
      ImageFormat format,
      float quality,
      ImageMetadata metadata,
      List<String> warnings) {

    void writeTo(OutputStream out) throws IOException {
      if (!metadata.hasBlocks()) {
        encode(bi, format, quality, false, out);
        return;
      }
      // A TIFF takes the EXIF block's byte order, so that its entries move over unchanged.
      boolean little = metadata.exif() != null && metadata.exif()[0] == 'I';
      ByteArrayOutputStream encoded = new ByteArrayOutputStream();
      encode(bi, format, quality, little, encoded);
      byte[] bytes = encoded.toByteArray();
      out.write(
          switch (format) {
            case PNG -> MetadataWriter.png(bytes, metadata);
            case JPEG -> MetadataWriter.jpeg(bytes, metadata);
            default -> MetadataWriter.tiff(bytes, metadata);
          });
    }
  }

  private static Encoding prepare(
      DecodedImage image, ImageFormat format, int jpegQuality, String file) {
    if (jpegQuality < 1 || jpegQuality > 100) {
      throw new IllegalArgumentException("JPEG quality must be 1..100, got " + jpegQuality);
    }
    List<String> warnings = new ArrayList<>();
    boolean alpha = image.hasAlpha() && format.alpha;
    if (image.hasAlpha() && !alpha) {
      warnings.add(
          file + ": " + format + " has no alpha channel; alpha dropped (colours kept as they are)");
    }
    int depth = image.bitDepth() == 16 && format.sixteenBit ? 16 : 8;
    if (image.bitDepth() == 16 && depth == 8) {
      warnings.add(file + ": " + format + " holds 8 bits per sample; 16-bit input written at 8");
    }
    warnings.addAll(image.metadata().notes());
    ImageMetadata metadata = ImageMetadata.NONE;
    if (image.metadata().hasBlocks()) {
      if (format == ImageFormat.PNG || format == ImageFormat.JPEG || format == ImageFormat.TIFF) {
        metadata = MetadataWriter.forOutput(image, format, file, warnings);
      } else {
        warnings.add(
            file
                + ": armsr writes no metadata to "
                + format
                + "; ICC profile, EXIF and XMP dropped");
      }
    }
    return new Encoding(
        toBufferedImage(image, alpha, depth), format, jpegQuality / 100f, metadata, warnings);
  }

  private static BufferedImage toBufferedImage(DecodedImage image, boolean alpha, int depth) {
    int w = image.width();
    int h = image.height();
    int colours = image.gray() ? 1 : 3;
    BufferedImage bi;
    if (depth == 8 && !alpha) {
      bi =
          new BufferedImage(
              w, h, image.gray() ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    } else if (depth == 8 && !image.gray()) {
      bi = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
    } else {
      ColorSpace cs =
          ColorSpace.getInstance(image.gray() ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
      ComponentColorModel cm =
          new ComponentColorModel(
              cs,
              alpha,
              false,
              alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE,
              depth == 16 ? DataBuffer.TYPE_USHORT : DataBuffer.TYPE_BYTE);
      bi = new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
    }
    // Raster bands are the colour components in order (R, G, B or gray), then alpha, whatever the
    // byte layout of the buffer.
    WritableRaster raster = bi.getRaster();
    int[] row = new int[w];
    for (int c = 0; c < colours + (alpha ? 1 : 0); c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          row[x] = c < colours ? image.sample(i, c, depth) : image.alphaSample(i, depth);
        }
        raster.setSamples(0, y, w, 1, c, row);
      }
    }
    return bi;
  }

  /**
   * Encodes {@code bi} to {@code out}; a TIFF in little-endian (II) byte order when {@code
   * littleEndianTiff}, else big-endian (MM).
   */
  private static void encode(
      BufferedImage bi,
      ImageFormat format,
      float quality,
      boolean littleEndianTiff,
      OutputStream out)
      throws IOException {
    ImageWriter writer = writerFor(format);
    try (ImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(ios);
      ImageWriteParam param = writer.getDefaultWriteParam();
      IIOMetadata stream = null;
      if (format == ImageFormat.TIFF && littleEndianTiff) {
        // The JDK's TIFF writer takes its byte order from its stream metadata only.
        stream = writer.getDefaultStreamMetadata(param);
        String name = stream.getNativeMetadataFormatName();
        IIOMetadataNode root = new IIOMetadataNode(name);
        IIOMetadataNode order = new IIOMetadataNode("ByteOrder");
        order.setAttribute("value", java.nio.ByteOrder.LITTLE_ENDIAN.toString());
        root.appendChild(order);
        stream.mergeTree(name, root);
      }
      if (format == ImageFormat.JPEG) {
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
      } else if (format == ImageFormat.TIFF && param.canWriteCompressed()) {
        // Lossless and widely read; uncompressed 16-bit x4 outputs are needlessly large.
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionType("LZW");
      }
      writer.write(stream, new IIOImage(bi, null, null), param);
    } finally {
      writer.dispose();
    }
  }

  /**
   * The writer for {@code format}: for TIFF the JDK's, which compresses 16-bit samples (the
   * TwelveMonkeys writer's LZW takes 8-bit data only); otherwise the first registered.
   */
  private static ImageWriter writerFor(ImageFormat format) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.imageIoName);
    ImageWriter chosen = null;
    while (writers.hasNext()) {
      ImageWriter w = writers.next();
      boolean jdk = w.getClass().getName().startsWith("com.sun.imageio");
      if (chosen == null || (format == ImageFormat.TIFF && jdk)) {
        if (chosen != null) {
          chosen.dispose();
        }
        chosen = w;
      } else {
        w.dispose();
      }
    }
    if (chosen == null) {
      throw new IOException("no ImageIO writer for " + format);
    }
    return chosen;
  }

  /**
   * The first reader of a supported format that recognises the stream. Other ImageIO formats are
   * not considered: the WBMP reader in particular claims many arbitrary byte strings.
   */
  /**
   * A WebP file is a RIFF container whose header declares the size of what follows it. A file
   * shorter than that was cut short, and a lossless decoder may fill the missing pixels with
   * whatever its bit reader returns past the end instead of failing: such a file is refused before
   * decoding. (Bytes after the declared end are ignored, as by other decoders.)
   */
  private static void checkRiffSize(Path file, ImageInputStream iis) throws IOException {
    iis.seek(0);
    byte[] header = new byte[12];
    iis.readFully(header);
    iis.seek(0);
    long declared = ExifBlock.u32(header, 4, true); // RIFF sizes are little-endian
    long present = Files.size(file);
    if (8 + declared > present) {
      throw new ImageReadException(
          file,
          String.format(
              Locale.ROOT,
              "truncated WEBP data (the RIFF header declares %,d bytes, the file has %,d)",
              8 + declared,
              present));
    }
  }

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

  /** Raw raster values to a decoded image (see the class comment for the rules). */
  private static DecodedImage toDecoded(BufferedImage image, Path file, String format)
      throws ImageReadException {
    if (image.getColorModel().isAlphaPremultiplied()) {
      image.coerceData(false);
    }
    int w = image.getWidth();
    int h = image.getHeight();
    int n = w * h;
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    byte[] out = new byte[n * 3];
    int[] row = new int[w];
    if (cm instanceof IndexColorModel palette) {
      boolean gray = true;
      for (int i = 0; i < palette.getMapSize(); i++) {
        int r = palette.getRed(i);
        gray &= r == palette.getGreen(i) && r == palette.getBlue(i);
      }
      short[] alpha = palette.hasAlpha() ? new short[n] : null;
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, 0, row);
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          out[3 * i] = (byte) palette.getRed(row[x]);
          out[3 * i + 1] = (byte) palette.getGreen(row[x]);
          out[3 * i + 2] = (byte) palette.getBlue(row[x]);
          if (alpha != null) {
            alpha[i] = (short) palette.getAlpha(row[x]);
          }
        }
      }
      return new DecodedImage(new Rgb8Image(w, h, out), gray, 8, alpha, null);
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
    int depth = 8;
    for (int c = 0; c < cm.getNumComponents(); c++) {
      int bits = cm.getComponentSize(c);
      if (bits > 8 && bits != 16) {
        throw new ImageReadException(
            file, bits + "-bit samples are not supported (8 or 16 bits per sample)");
      }
      if (bits == 16 && c < colours) {
        depth = 16;
      }
    }
    short[] samples16 = depth == 16 ? new short[n * colours] : null;
    // Colour components come first in the raster's bands, alpha last.
    boolean copied = depth == 8 && copyInterleavedBytes(raster, cm, colours, out);
    if (!copied) {
      for (int c = 0; c < colours; c++) {
        int bits = cm.getComponentSize(c);
        int max = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
          raster.getSamples(0, y, w, 1, c, row);
          for (int x = 0; x < w; x++) {
            int i = y * w + x;
            int v = row[x];
            int v8 = bits == 8 ? v : (int) ((v * 255L + max / 2) / max);
            if (gray) {
              out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = (byte) v8;
            } else {
              out[3 * i + c] = (byte) v8;
            }
            if (samples16 != null) {
              samples16[i * colours + c] = (short) (bits == 16 ? v : (v * 65535L + max / 2) / max);
            }
          }
        }
      }
    }
    short[] alpha = null;
    if (cm.hasAlpha()) {
      int bits = cm.getComponentSize(colours);
      int max = (1 << bits) - 1;
      int target = depth == 16 ? 65535 : 255;
      alpha = new short[n];
      for (int y = 0; y < h; y++) {
        raster.getSamples(0, y, w, 1, colours, row);
        for (int x = 0; x < w; x++) {
          int v = row[x];
          alpha[y * w + x] =
              (short) (bits == 16 && target == 65535 ? v : (v * (long) target + max / 2) / max);
        }
      }
    }
    return new DecodedImage(new Rgb8Image(w, h, out), gray, depth, alpha, samples16);
  }

  /**
   * The common case of {@link #toDecoded} without a call per row and band: 8-bit samples
   * interleaved in one byte array (what the PNG, JPEG and BMP readers return for RGB and gray),
   * copied straight into {@code out} as RGB; gray is replicated. Returns false, touching nothing,
   * for any other layout, which the general path reads.
   */
  private static boolean copyInterleavedBytes(
      Raster raster, ColorModel cm, int colours, byte[] out) {
    if (!(raster.getSampleModel() instanceof ComponentSampleModel sm)
        || !(raster.getDataBuffer() instanceof DataBufferByte buffer)
        || buffer.getNumBanks() != 1
        || raster.getSampleModelTranslateX() != 0
        || raster.getSampleModelTranslateY() != 0) {
      return false;
    }
    for (int c = 0; c < colours; c++) {
      if (cm.getComponentSize(c) != 8 || sm.getBankIndices()[c] != 0) {
        return false;
      }
    }
    byte[] data = buffer.getData();
    int[] band = sm.getBandOffsets();
    int stride = sm.getPixelStride();
    int w = raster.getWidth();
    int h = raster.getHeight();
    for (int y = 0; y < h; y++) {
      int from = buffer.getOffset() + y * sm.getScanlineStride();
      int to = 3 * y * w;
      if (colours == 1) {
        for (int x = 0, f = from + band[0]; x < w; x++, f += stride, to += 3) {
          out[to] = out[to + 1] = out[to + 2] = data[f];
        }
      } else {
        for (int x = 0, f = from; x < w; x++, f += stride, to += 3) {
          out[to] = data[f + band[0]];
          out[to + 1] = data[f + band[1]];
          out[to + 2] = data[f + band[2]];
        }
      }
    }
    return true;
  }

  /** {@code d} as displayed under EXIF orientation {@code o} (see {@link ExifOrientation}). */
  private static DecodedImage orient(DecodedImage d, int o) {
    int sw = d.width();
    int sh = d.height();
    boolean swap = ExifOrientation.swapsAxes(o);
    int w = swap ? sh : sw;
    int h = swap ? sw : sh;
    byte[] src = d.rgb().pixels();
    byte[] rgb = new byte[src.length];
    short[] alpha = d.alpha() == null ? null : new short[d.alpha().length];
    int colours = d.gray() ? 1 : 3;
    short[] s16 = d.samples16() == null ? null : new short[d.samples16().length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int s = ExifOrientation.source(o, x, y, sw, sh);
        System.arraycopy(src, 3 * s, rgb, 3 * i, 3);
        if (alpha != null) {
          alpha[i] = d.alpha()[s];
        }
        if (s16 != null) {
          System.arraycopy(d.samples16(), colours * s, s16, colours * i, colours);
        }
      }
    }
    return new DecodedImage(new Rgb8Image(w, h, rgb), d.gray(), d.bitDepth(), alpha, s16);
  }

  /** Carries an unchecked exception of a {@link ReadLimits#headerCheck} past the decoder's. */
  private static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(RuntimeException cause) {
      super(cause);
    }
  }

  /**
   * What a decoder's exception says about the file, in one line. The TIFF reader stores an
   * unreadable field value as the exception it got and fails later casting it to the value it
   * wanted; its text names Java classes, so it is said in the file's terms instead.
   */
  private static String decoderProblem(Exception e) {
    if (e instanceof ClassCastException) {
      String m = String.valueOf(e.getMessage());
      return m.contains("EOFException")
          ? "a field's value lies past the end of the file"
          : "a field holds a value of the wrong kind";
    }
    return oneLine(e);
  }

  private static String oneLine(Throwable e) {
    return AtomicFiles.oneLine(e);
  }
}
