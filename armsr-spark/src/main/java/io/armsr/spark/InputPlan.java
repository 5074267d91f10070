package io.armsr.spark;

import io.armsr.infer.FolderJob;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where every input goes: its path relative to the input's base folder (the input itself, or for a
 * glob the folder before its first wildcard), mirrored under the output folder with the command
 * line's output name ({@link FolderJob#outputName}). Two inputs whose outputs would be one file
 * (names equal but for case or extension, {@code a.png} and {@code a.bmp} under {@code --format
 * png}) fail the later one in relative-path order, as the folder mode does. Made on the driver from
 * the listing and shipped to the executors, which need only the base folders, the format and the
 * (usually empty) map of clashes.
 */
public final class InputPlan implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String base;
  private final String outBase;
  private final String format;
  private final Map<String, String> clashes;

  private InputPlan(String base, String outBase, String format, Map<String, String> clashes) {
    this.base = trimSlash(base);
    this.outBase = trimSlash(outBase);
    this.format = format;
    this.clashes = Map.copyOf(clashes);
  }

  /**
   * The plan of {@code inputs} (the listing's qualified paths, as Spark's {@code binaryFile} source
   * names them) under {@code base} going to {@code outBase}.
   *
   * @param format the outputs' extension, or null to keep the input's
   */
  public static InputPlan of(String base, String outBase, String format, List<String> inputs) {
    InputPlan plan = new InputPlan(base, outBase, format, Map.of());
    TreeMap<String, String> byRelative = new TreeMap<>();
    for (String in : inputs) {
      byRelative.put(plan.relative(in), in);
    }
    Map<String, String> taken = new HashMap<>();
    Map<String, String> clashes = new HashMap<>();
    for (Map.Entry<String, String> e : byRelative.entrySet()) {
      String outRel = plan.outputRelative(e.getKey());
      String earlier = taken.putIfAbsent(outRel.toLowerCase(Locale.ROOT), e.getKey());
      if (earlier != null) {
        clashes.put(e.getValue(), "output " + outRel + " is also the output of " + earlier);
      }
    }
    return new InputPlan(base, outBase, format, clashes);
  }

  /**
   * The folder a path or glob's relative paths start from: itself without wildcards, else the part
   * before the last {@code /} preceding its first wildcard ({@code * ? [ {}}).
   */
  public static String baseOf(String input) {
    int wild = -1;
    for (int i = 0; i < input.length(); i++) {
      if ("*?[{".indexOf(input.charAt(i)) >= 0) {
        wild = i;
        break;
      }
    }
    if (wild < 0) {
      return trimSlash(input);
    }
    int slash = input.lastIndexOf('/', wild);
    return slash <= 0 ? "/" : input.substring(0, slash);
  }

  private static String trimSlash(String s) {
    return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** {@code path} relative to the base folder, {@code /}-separated. */
  public String relative(String path) {
    String prefix = base + "/";
    if (!path.startsWith(prefix)) {
      throw new IllegalArgumentException(path + " is not under " + base);
    }
    return path.substring(prefix.length());
  }

  /** The output's path relative to the output folder. */
  String outputRelative(String relative) {
    int slash = relative.lastIndexOf('/');
    String name = FolderJob.outputName(relative.substring(slash + 1), format);
    return relative.substring(0, slash + 1) + name;
  }

  /** Where the input {@code path} goes. */
  public String outputOf(String path) {
    return outBase + "/" + outputRelative(relative(path));
  }

  /** Why the input {@code path} cannot be processed, or null if it can. */
  public String clash(String path) {
    return clashes.get(Objects.requireNonNull(path));
  }

  public String base() {
    return base;
  }

  public String outBase() {
    return outBase;
  }
}
