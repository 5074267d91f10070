package io.armsr.spark;

import io.armsr.imagefile.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Outputs through the Hadoop FileSystem API, so that the job writes to a local folder, HDFS or an
 * object store alike, each file appearing only when complete: written to a hidden temporary name in
 * the target's folder ({@code .<name>.<hex>.tmp}, the command line's), synced, then renamed. The
 * local file system is used raw (no {@code .crc} side files).
 */
final class HadoopFiles {

  private HadoopFiles() {}

  /** Writes into a stream. */
  @FunctionalInterface
  interface Writer {
    void writeTo(OutputStream out) throws IOException;
  }

  /** The file system of {@code path}, raw for local paths. */
  static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
  }

  static boolean exists(String file, Configuration conf) throws IOException {
    Path p = new Path(file);
    return fileSystem(p, conf).exists(p);
  }

  /**
   * Writes {@code target} atomically. Where another attempt of the same task wrote it first (Spark
   * re-runs lost and speculative tasks), its file, of the same bytes, is kept.
   *
   * @param replace whether an existing target is replaced (on a file system whose rename does not
   *     replace, it is deleted just before the rename)
   * @throws IOException one line naming the target; no temporary file is left
   */
  static void write(String target, boolean replace, Configuration conf, Writer writer)
      throws IOException {
    Path t = new Path(target);
    FileSystem fs = fileSystem(t, conf);
    Path tmp =
        new Path(
            t.getParent(),
            "."
                + t.getName()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    try {
      fs.mkdirs(t.getParent());
      try (FSDataOutputStream out = fs.create(tmp, false)) {
        writer.writeTo(out);
        out.hsync();
      }
      if (replace && fs.exists(t) && !fs.rename(tmp, t)) {
        fs.delete(t, false);
      }
      if (fs.exists(tmp) && !fs.rename(tmp, t) && !fs.exists(t)) {
        throw new IOException("the rename from " + tmp.getName() + " failed");
      }
    } catch (IOException | RuntimeException e) {
      try {
        fs.delete(tmp, false);
      } catch (IOException d) {
        e.addSuppressed(d);
      }
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new IOException("cannot write " + target + ": " + m.replaceAll("\\s+", " "), e);
    } finally {
      if (fs.exists(tmp)) {
        fs.delete(tmp, false);
      }
    }
  }

  /**
   * Deletes the temporary files a killed write of one of {@code outputs} left (the command line's
   * {@code .<name>.<hex>.tmp}) that are older than {@code before} (epoch milliseconds); nothing
   * else.
   *
   * @return how many were deleted
   */
  static int removeStaleTemporaries(
      String folder, Set<String> outputs, long before, Configuration conf) throws IOException {
    Path root = new Path(folder);
    FileSystem fs = fileSystem(root, conf);
    if (!fs.exists(root)) {
      return 0;
    }
    int deleted = 0;
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      String target = AtomicFiles.temporaryTarget(f.getPath().getName());
      if (target != null
          && f.getModificationTime() < before
          && outputs.contains(new Path(f.getPath().getParent(), target).toString())
          && fs.delete(f.getPath(), false)) {
        deleted++;
      }
    }
    return deleted;
  }
}
