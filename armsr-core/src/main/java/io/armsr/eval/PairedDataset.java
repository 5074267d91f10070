package io.armsr.eval;

import io.armsr.imagefile.ImageExtensions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An SR test set: HR and LR images in two folders that pair by sorted file name (ARM.md 5.1; the
 * layout of {@code ../shared/data/test/*}).
 *
 * @param name the dataset name ({@code Set14}: the HR folder's parent when the folder is {@code
 *     HR})
 * @param pairs image pairs in sorted order
 */
public record PairedDataset(String name, List<Pair> pairs) {

  /** One test image: its name (HR stem without a trailing {@code _HR}) and both files. */
  public record Pair(String name, Path hr, Path lr) {}

  /**
   * Lists the image files directly in both folders (every extension armsr reads, {@link
   * ImageExtensions}) and pairs them by sorted order.
   *
   * @throws IllegalArgumentException if a folder is missing, holds no image, or the counts differ
   */
  public static PairedDataset open(Path hrDir, Path lrDir) {
    List<Path> hr = listImages(hrDir, "HR folder");
    List<Path> lr = listImages(lrDir, "LR folder");
    if (hr.size() != lr.size()) {
      throw new IllegalArgumentException(
          "HR folder "
              + hrDir
              + " has "
              + hr.size()
              + " images but LR folder "
              + lrDir
              + " has "
              + lr.size()
              + "; they pair by sorted order");
    }
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < hr.size(); i++) {
      pairs.add(new Pair(imageName(hr.get(i)), hr.get(i), lr.get(i)));
    }
    return new PairedDataset(datasetName(hrDir), List.copyOf(pairs));
  }

  /** {@code img_001_SRF_4_HR.png} gives {@code img_001_SRF_4}. */
  static String imageName(Path hr) {
    String file = hr.getFileName().toString();
    int dot = file.lastIndexOf('.');
    String stem = dot > 0 ? file.substring(0, dot) : file;
    return stem.endsWith("_HR") ? stem.substring(0, stem.length() - 3) : stem;
  }

  static String datasetName(Path hrDir) {
    Path abs = hrDir.toAbsolutePath().normalize();
    Path leaf = abs.getFileName();
    if (leaf == null) {
      return "dataset";
    }
    if (leaf.toString().equalsIgnoreCase("HR") && abs.getParent() != null) {
      Path parent = abs.getParent().getFileName();
      if (parent != null) {
        return parent.toString();
      }
    }
    return leaf.toString();
  }

  private static List<Path> listImages(Path dir, String role) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(role + " " + dir + ": not a folder");
    }
    try {
      List<Path> out = ImageExtensions.list(dir);
      if (out.isEmpty()) {
        throw new IllegalArgumentException(
            role + " " + dir + ": no images (" + ImageExtensions.describeReadable() + ")");
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(role + " " + dir + ": cannot list: " + e.getMessage(), e);
    }
  }
}
