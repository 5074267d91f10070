package io.armsr.torch;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A checkpoint or LUT file that cannot be read: missing, not the expected container, or holding
 * something other than what ARM.md 7 describes. The message is one line, {@code "<file>:
 * <problem>"}, fit to be printed to a user as it is; the cause (if any) is for debugging only.
 */
public final class CheckpointFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  public CheckpointFormatException(Path file, String problem) {
    this(file, problem, null);
  }

  public CheckpointFormatException(Path file, String problem, Throwable cause) {
    super(oneLine(file + ": " + problem), cause);
    this.file = Objects.requireNonNull(file, "file");
    this.problem = oneLine(problem);
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }

  /** The problem, without the file name. */
  public String problem() {
    return problem;
  }

  /** The longest message kept: a file may hold megabyte-long keys that a message quotes. */
  private static final int MAX_MESSAGE = 2000;

  /**
   * Text from a pickle or a library exception may hold line breaks; users get one line, and one of
   * a readable length.
   */
  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String cut = s.length() > 4 * MAX_MESSAGE ? s.substring(0, 4 * MAX_MESSAGE) : s;
    String line = cut.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    return line.length() > MAX_MESSAGE ? line.substring(0, MAX_MESSAGE) + "..." : line;
  }
}
