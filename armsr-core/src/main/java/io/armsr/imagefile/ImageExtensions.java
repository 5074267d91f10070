package io.armsr.imagefile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file extensions armsr treats as images: the one list that folder upscaling, evaluation
 * ({@code PairedDataset}), the training and validation sets, the LUT builder and the benchmark use
 * to pick images out of a folder, so that every command reads the same files.
 *
 * <p>{@link #READABLE} are the formats {@link ImageFiles} decodes (PNG, JPEG, BMP, TIFF, WebP);
 * {@link #WRITABLE} those it encodes ({@link ImageFormat#forOutput}; WebP is read-only). Extensions
 * match in any case.
 */
public final class ImageExtensions {

  /** Extensions of the images {@link ImageFiles} reads, lower case, without the dot. */
  public static final List<String> READABLE =
      List.of("png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp");

  /** Extensions of the images {@link ImageFiles} writes, lower case, without the dot. */
  public static final List<String> WRITABLE = List.of("png", "jpg", "jpeg", "bmp", "tif", "tiff");

  private ImageExtensions() {}

  /** The extension of {@code file}'s name, lower case, without the dot; {@code ""} if none. */
  public static String of(Path file) {
    Path name = file.getFileName();
    String s = name == null ? "" : name.toString();
    int dot = s.lastIndexOf('.');
    return dot < 0 ? "" : s.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /** Whether {@code file} is named like an image armsr reads ({@link #READABLE}, any case). */
  public static boolean isReadable(Path file) {
    return READABLE.contains(of(file));
  }

  /** {@code ".png, .jpg, ..."}: the readable extensions, for messages. */
  public static String describeReadable() {
    return READABLE.stream().map(e -> "." + e).collect(Collectors.joining(", "));
  }

  /**
   * The regular files directly in {@code dir} named like readable images, sorted by name.
   *
   * @throws IOException if the folder cannot be listed
   */
  public static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return sorted(s);
    }
  }

  /**
   * The regular files in {@code dir} and its sub-folders named like readable images, sorted by path
   * (so that the order, and what depends on it such as a seed's random crops, does not depend on
   * the file system's listing order).
   *
   * @throws IOException if a folder cannot be listed
   */
  public static List<Path> walk(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return sorted(s);
    }
  }

  private static List<Path> sorted(Stream<Path> files) {
    List<Path> out =
        new ArrayList<>(
            files.filter(Files::isRegularFile).filter(ImageExtensions::isReadable).toList());
    Collections.sort(out);
    return List.copyOf(out);
  }
}
