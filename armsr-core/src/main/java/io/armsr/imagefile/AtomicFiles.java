package io.armsr.imagefile;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes files so that a crash or kill never leaves a partial file: the content goes to a hidden
 * temporary file in the destination's folder, is flushed to disk, and is then moved over the
 * destination in one step. Every file armsr writes goes through here.
 *
 * <p>A temporary file is removed when its write fails, and also when the process is stopped while
 * it is being written (SIGTERM, SIGINT: the JVM's shutdown hooks run): only {@code kill -9} or a
 * crash can leave one, and the next folder run removes those ({@link #temporaryTarget}).
 */
public final class AtomicFiles {

  /** The temporaries being written now, removed by the shutdown hook if the process is stopped. */
  private static final Set<Path> IN_PROGRESS = ConcurrentHashMap.newKeySet();

  static {
    Thread hook =
        new Thread(
            () -> {
              for (Path tmp : IN_PROGRESS) {
                try {
                  Files.deleteIfExists(tmp);
                } catch (IOException | RuntimeException e) {
                  // The process is ending: nothing more can be done about it.
                }
              }
            },
            "armsr-remove-temporaries");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Writes the content of a file to a stream. */
  @FunctionalInterface
  public interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  private AtomicFiles() {}

  /**
   * Writes {@code target} atomically.
   *
   * @throws IOException with a one-line message naming {@code target}; the destination is then as
   *     it was and no temporary file is left
   */
  public static void write(Path target, Writer writer) throws IOException {
    Path abs = target.toAbsolutePath();
    Path tmp =
        abs.resolveSibling(
            "."
                + abs.getFileName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    IN_PROGRESS.add(tmp);
    try {
      try (FileChannel channel =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        // Writers (Jackson, ImageIO) may close the stream they are given; the channel must stay
        // open
        // until it is forced to disk.
        OutputStream out =
            new FilterOutputStream(Channels.newOutputStream(channel)) {
              @Override
              public void write(byte[] b, int off, int len) throws IOException {
                this.out.write(b, off, len);
              }

              @Override
              public void close() throws IOException {
                flush();
              }
            };
        writer.writeTo(out);
        out.flush();
        // The bytes must be on disk before the rename publishes them.
        channel.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException d) {
        e.addSuppressed(d);
      }
      throw new IOException("cannot write " + target + ": " + oneLine(e), e);
    } finally {
      IN_PROGRESS.remove(tmp);
    }
  }

  /**
   * The name of the target a temporary file of {@link #write} was for ({@code .<target>.<hex>.tmp}
   * gives {@code <target>}), or null if {@code fileName} is not such a temporary. A killed write
   * leaves one; {@code FolderJob} removes its own stale ones.
   */
  public static String temporaryTarget(String fileName) {
    Matcher m = TEMPORARY.matcher(fileName);
    return m.matches() ? m.group(1) : null;
  }

  private static final Pattern TEMPORARY = Pattern.compile("^\\.(.+)\\.[0-9a-f]{1,16}\\.tmp$");

  /** Writes bytes to {@code target} atomically. */
  public static void write(Path target, byte[] content) throws IOException {
    write(target, out -> out.write(content));
  }

  /**
   * A one-line description of an exception: its kind and message, without newlines, followed by the
   * messages of its causes that it does not already contain, so that what went wrong below a
   * generic message survives ("IIO: I/O error writing PNG file! (No space left on device)").
   */
  static String oneLine(Throwable e) {
    String kind = e.getClass().getSimpleName().replace("Exception", "");
    String msg = e.getMessage();
    StringBuilder text = new StringBuilder(msg == null || msg.isBlank() ? kind : kind + ": " + msg);
    int depth = 0;
    for (Throwable c = e.getCause(); c != null && c != e && depth < 8; c = c.getCause(), depth++) {
      String m = c.getMessage();
      if (m != null && !m.isBlank() && text.indexOf(m) < 0) {
        text.append(" (").append(m).append(')');
      }
    }
    return text.toString().replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
