package io.armsr.imagefile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An image file could not be read: missing, unreadable, not a PNG, JPEG, BMP, TIFF or WebP image,
 * or corrupt. The message is one line that names the file and the problem, fit to show a user as it
 * is.
 */
public class ImageReadException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public ImageReadException(Path file, String problem) {
    this(file, problem, null);
  }

  public ImageReadException(Path file, String problem, Throwable cause) {
    super("cannot read image " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}
