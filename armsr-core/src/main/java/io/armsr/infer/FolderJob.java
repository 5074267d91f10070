package io.armsr.infer;

import io.armsr.imagefile.AtomicFiles;
import io.armsr.imagefile.ImageExtensions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Processing every image of a folder into another folder, one file at a time, so that a run can be
 * killed and restarted: outputs are written atomically (by the task, through {@code AtomicFiles}),
 * existing outputs are skipped unless overwriting is asked for, and temporary files left by a
 * killed write are removed before the next run starts. A failure is recorded with its one-line
 * reason and the run goes on.
 */
public final class FolderJob {

  /**
   * One input and the output it goes to.
   *
   * @param clash when not null, why this item cannot be processed (its output name is taken by an
   *     earlier input)
   * @param name the input's path relative to the input folder ({@code /}-separated), as progress,
   *     summary and failure lines show it: the file name for a flat folder
   */
  public record Item(Path input, Path output, String clash, String name) {
    /** An item named by its input's file name. */
    public Item(Path input, Path output, String clash) {
      this(input, output, clash, input.getFileName().toString());
    }
  }

  /** What happened to one item. */
  public enum Status {
    DONE,
    SKIPPED,
    FAILED
  }

  /**
   * The outcome of one item.
   *
   * @param reason for a failure, one line naming the file and the problem; otherwise empty
   * @param error the exception of a failure, or null (also null for a name clash)
   * @param warnings what the output format could not hold (alpha, 16 bits), one line each
   */
  public record Outcome(
      Item item,
      Status status,
      String reason,
      Throwable error,
      List<String> warnings,
      double seconds) {}

  /** Processes one image; returns warnings (may be empty). */
  @FunctionalInterface
  public interface Task {
    List<String> process(Path input, Path output) throws IOException;
  }

  /**
   * Processes several items together (e.g. small images whose patches share forward passes). Never
   * given a skipped item or one whose output name clashes.
   */
  @FunctionalInterface
  public interface GroupTask {
    /**
     * @return one result per item, in order
     */
    List<ItemResult> process(List<Item> items);
  }

  /**
   * What a {@link GroupTask} did with one item.
   *
   * @param warnings what the output format could not hold, one line each (empty on failure)
   * @param error why the item failed, or null if it is done
   * @param seconds the time spent on this item (its share of work done for the whole group)
   */
  public record ItemResult(List<String> warnings, Exception error, double seconds) {
    public static ItemResult done(List<String> warnings, double seconds) {
      return new ItemResult(List.copyOf(warnings), null, seconds);
    }

    public static ItemResult failed(Exception error, double seconds) {
      return new ItemResult(List.of(), Objects.requireNonNull(error, "error"), seconds);
    }
  }

  /** Told about each item as it starts and ends (progress display). */
  public interface Listener {
    default void started(int index, int total, Item item) {}

    default void finished(int index, int total, Outcome outcome) {}
  }

  /** Counts and the failures of a run, in input order. */
  public record Summary(int done, int skipped, List<Outcome> failures, double seconds) {
    public int failed() {
      return failures.size();
    }

    public int total() {
      return done + skipped + failed();
    }
  }

  private final List<Item> items;
  private final boolean overwrite;
  private final int linksNotFollowed;
  private final boolean outputSkipped;

  private FolderJob(
      List<Item> items, boolean overwrite, int linksNotFollowed, boolean outputSkipped) {
    this.items = List.copyOf(items);
    this.overwrite = overwrite;
    this.linksNotFollowed = linksNotFollowed;
    this.outputSkipped = outputSkipped;
  }

  /**
   * A recursive plan's symbolic links that were not followed because they lead out of the input
   * tree (or nowhere); 0 for a flat plan.
   */
  public int linksNotFollowed() {
    return linksNotFollowed;
  }

  /** True if a recursive plan met the output folder inside the input tree and left it out. */
  public boolean outputSkipped() {
    return outputSkipped;
  }

  /**
   * Plans a run: the image files directly in {@code inDir} (sorted by name; no sub-folders), each
   * going to {@code outDir/<stem>.<extension>}. The extension is {@code format} when given, else
   * the input's own, except WebP (read-only) which becomes {@code png}.
   *
   * @param format an output extension ({@code png}, {@code jpg}, ...), or null to keep the input's
   * @throws IllegalArgumentException if {@code inDir} is not a folder or holds no image
   * @throws UncheckedIOException if the folder cannot be listed
   */
  public static FolderJob plan(Path inDir, Path outDir, String format, boolean overwrite) {
    return plan(inDir, outDir, format, overwrite, false);
  }

  /**
   * {@link #plan(Path, Path, String, boolean)}, and with {@code recursive} the images of every
   * sub-folder too, each going to the same relative place under {@code outDir} (its folders are
   * made when the image is processed), named by that relative path. A recursive walk:
   *
   * <ul>
   *   <li>follows a symbolic link only when its target lies inside the input tree, and each folder
   *       at most once (by its real path), so links cannot make cycles or duplicates of a folder;
   *       links leading out of the tree are counted ({@link #linksNotFollowed});
   *   <li>does not descend into {@code outDir} when it lies inside the input tree ({@link
   *       #outputSkipped}), so a second run does not upscale its own outputs.
   * </ul>
   *
   * Items are sorted by relative path. Output names that differ only in case clash, as in a flat
   * folder.
   */
  public static FolderJob plan(
      Path inDir, Path outDir, String format, boolean overwrite, boolean recursive) {
    if (!Files.isDirectory(inDir)) {
      throw new IllegalArgumentException(inDir + ": not a folder");
    }
    List<Path> inputs;
    Walk walk = null;
    if (recursive) {
      walk = new Walk(inDir, outDir);
      inputs = walk.images();
    } else {
      try (Stream<Path> files = Files.list(inDir)) {
        inputs =
            files
                .filter(Files::isRegularFile)
                .filter(ImageExtensions::isReadable)
                .sorted()
                .toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + inDir + ": " + e.getMessage(), e);
      }
    }
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(
          inDir
              + ": no images ("
              + ImageExtensions.describeReadable()
              + (recursive ? ", in any sub-folder" : "")
              + ")");
    }
    List<Item> items = new ArrayList<>();
    Map<String, String> taken = new HashMap<>();
    for (Path in : inputs) {
      Path rel = inDir.relativize(in);
      Path name = outputFileName(rel.getFileName(), format);
      Path outRel = rel.getParent() == null ? name : rel.getParent().resolve(name);
      String relName = slashes(rel);
      // Case-insensitive: two names that differ only in case are one file on some filesystems.
      String earlier = taken.putIfAbsent(clashKey(outRel), relName);
      String clash =
          earlier == null
              ? null
              : "output " + slashes(outRel) + " is also the output of " + earlier;
      items.add(new Item(in, outDir.resolve(outRel), clash, relName));
    }
    return walk == null
        ? new FolderJob(items, overwrite, 0, false)
        : new FolderJob(items, overwrite, walk.linksLeaving, walk.outputSkipped);
  }

  private static String slashes(Path rel) {
    StringBuilder sb = new StringBuilder();
    for (Path part : rel) {
      sb.append(sb.length() == 0 ? "" : "/").append(part);
    }
    return sb.toString();
  }

  /**
   * The depth-first walk of a recursive plan; see {@link #plan(Path, Path, String, boolean,
   * boolean)}.
   */
  private static final class Walk {
    private final Path root;
    private final Path rootReal;
    private final Path outReal;
    private final Set<Path> visited = new java.util.HashSet<>();
    private final List<Path> images = new ArrayList<>();
    int linksLeaving;
    boolean outputSkipped;

    Walk(Path root, Path outDir) {
      this.root = root;
      try {
        this.rootReal = root.toRealPath();
        this.outReal =
            Files.exists(outDir) ? outDir.toRealPath() : outDir.toAbsolutePath().normalize();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + root + ": " + e.getMessage(), e);
      }
    }

    List<Path> images() {
      visited.add(rootReal);
      descend(root);
      return images.stream()
          .sorted((a, b) -> slashes(root.relativize(a)).compareTo(slashes(root.relativize(b))))
          .toList();
    }

    private void descend(Path folder) {
      List<Path> entries;
      try (Stream<Path> files = Files.list(folder)) {
        entries = files.sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
      }
      for (Path p : entries) {
        Path real;
        try {
          real = p.toRealPath();
        } catch (IOException e) {
          if (Files.isSymbolicLink(p)) {
            linksLeaving++; // a link to nothing leads nowhere inside the tree either
          }
          continue;
        }
        if (Files.isSymbolicLink(p) && !real.startsWith(rootReal)) {
          linksLeaving++;
          continue;
        }
        if (Files.isDirectory(real)) {
          if (outReal.startsWith(rootReal) && real.startsWith(outReal)) {
            outputSkipped = true;
          } else if (visited.add(real)) {
            descend(p);
          }
        } else if (Files.isRegularFile(real) && ImageExtensions.isReadable(p)) {
          images.add(p);
        }
      }
    }
  }

  /**
   * The output file name for the input file name {@code name} ({@link #outputName}), with the
   * input's bytes kept. A name that is not valid in the file-name encoding (a Latin-1 name under a
   * UTF-8 locale) has its undecodable bytes shown as U+FFFD in its {@code String} form, and
   * building the output name from that string would write other bytes, and give two such inputs one
   * output. The platform keeps a path's bytes, and its {@code file:} URI spells them out as percent
   * escapes; so such a name is renamed on the URI's spelling and turned back into a path from it,
   * which keeps every byte but the extension.
   */
  static Path outputFileName(Path name, String format) {
    String text = name.toString();
    String out = outputName(text, format);
    if (out.equals(text)) {
      return name;
    }
    if (text.indexOf('\uFFFD') >= 0 && name.getFileSystem() == FileSystems.getDefault()) {
      try {
        String raw = name.toUri().getRawPath();
        raw = raw.substring(raw.lastIndexOf('/') + 1);
        String renamed = outputName(raw, format == null ? null : format);
        return Path.of(URI.create("file:///" + renamed)).getFileName();
      } catch (RuntimeException e) {
        // fall through to the name as text
      }
    }
    return name.resolveSibling(out).getFileName();
  }

  /**
   * The key under which an output counts as taken: its path as text, lower-cased (two names that
   * differ only in case are one file on some filesystems); for a name with undecodable bytes, its
   * URI spelling, which tells such names apart.
   */
  private static String clashKey(Path outRel) {
    String text = slashes(outRel);
    if (text.indexOf('\uFFFD') >= 0 && outRel.getFileSystem() == FileSystems.getDefault()) {
      return outRel.toUri().getRawPath().toLowerCase(Locale.ROOT);
    }
    return text.toLowerCase(Locale.ROOT);
  }

  /**
   * The output file name of the input file name {@code inputName}: {@code photo.jpg} with format
   * {@code png} gives {@code photo.png}; without a format the input's extension is kept, except
   * WebP (read-only), which becomes PNG. Every front end that mirrors a folder (the command line,
   * the Spark job) names its outputs with it.
   *
   * @param format an output extension, or null to keep the input's
   */
  public static String outputName(String inputName, String format) {
    int dot = inputName.lastIndexOf('.');
    String stem = dot > 0 ? inputName.substring(0, dot) : inputName;
    String ext = dot > 0 ? inputName.substring(dot + 1) : "";
    if (format != null) {
      ext = format;
    } else if (ext.equalsIgnoreCase("webp")) {
      ext = "png";
    }
    return stem + "." + ext;
  }

  public List<Item> items() {
    return items;
  }

  /** True if some item will be processed (not skipped), i.e. the model is needed. */
  public boolean hasWork() {
    return items.stream().anyMatch(i -> i.clash() == null && !skip(i));
  }

  private boolean skip(Item item) {
    return !overwrite && Files.exists(item.output());
  }

  /**
   * Deletes the temporary files that a killed write of one of this job's outputs left in its output
   * folder ({@code .<output name>.<hex>.tmp}) and that are older than {@code before}. Other files,
   * and temporaries of other names, are left alone.
   *
   * @return the files deleted
   */
  public List<Path> removeStaleTemporaries(Instant before) throws IOException {
    Set<Path> folders = new java.util.HashSet<>();
    Set<String> names = new java.util.HashSet<>();
    for (Item i : items) {
      folders.add(i.output().toAbsolutePath().getParent());
      names.add(i.output().getFileName().toString());
    }
    List<Path> deleted = new ArrayList<>();
    for (Path folder : folders) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      try (Stream<Path> files = Files.list(folder)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          String target = temporaryTarget(p.getFileName().toString());
          if (target != null
              && names.contains(target)
              && Files.isRegularFile(p)
              && Files.getLastModifiedTime(p).compareTo(FileTime.from(before)) < 0) {
            Files.deleteIfExists(p);
            deleted.add(p);
          }
        }
      }
    }
    return deleted;
  }

  /** The target name of an {@code AtomicFiles} temporary file name, or null if it is not one. */
  static String temporaryTarget(String fileName) {
    return AtomicFiles.temporaryTarget(fileName);
  }

  /** {@link #run(Task, Listener, int)} on the calling thread, one item after the other. */
  public Summary run(Task task, Listener listener) {
    return run(task, listener, 1);
  }

  /**
   * Runs the task on every item, {@code workers} items at a time (each task should then use one
   * core). An item whose output exists is skipped (unless overwriting); an exception from the task
   * fails that item only, with its message as the reason. Errors ({@link OutOfMemoryError} ...) are
   * not caught. The listener hears of the items in input order, on the calling thread, each {@code
   * started} just before its {@code finished}; a kill costs at most the {@code workers} images in
   * progress, whose outputs the task writes atomically.
   */
  public Summary run(Task task, Listener listener, int workers) {
    Objects.requireNonNull(task, "task");
    return run(
        items -> {
          Item item = items.get(0);
          long t0 = System.nanoTime();
          try {
            List<String> warnings = task.process(item.input(), item.output());
            return List.of(ItemResult.done(warnings, (System.nanoTime() - t0) / 1e9));
          } catch (IOException | RuntimeException e) {
            return List.of(ItemResult.failed(e, (System.nanoTime() - t0) / 1e9));
          }
        },
        listener,
        workers,
        1);
  }

  /**
   * {@link #run(Task, Listener, int)} with the items in groups of up to {@code groupSize}
   * consecutive ones, each group processed by one call of {@code task} (skipped and clashing items
   * left out), {@code workers} groups at a time. A kill costs at most the {@code workers x
   * groupSize} images in progress. An exception thrown by the task fails every item it was given.
   */
  public Summary run(GroupTask task, Listener listener, int workers, int groupSize) {
    Objects.requireNonNull(task, "task");
    if (groupSize < 1) {
      throw new IllegalArgumentException("group size must be positive, got " + groupSize);
    }
    long start = System.nanoTime();
    int[] counts = new int[2];
    List<Outcome> failures = new ArrayList<>();
    int total = items.size();
    List<List<Integer>> groups = new ArrayList<>();
    for (int from = 0; from < total; from += groupSize) {
      List<Integer> group = new ArrayList<>();
      for (int i = from; i < Math.min(total, from + groupSize); i++) {
        group.add(i);
      }
      groups.add(group);
    }
    new OrderedWorkers(workers)
        .run(
            groups,
            group -> process(group, task),
            (group, outcomes) -> {
              for (int k = 0; k < group.size(); k++) {
                int i = group.get(k);
                Outcome outcome = outcomes.get(k);
                listener.started(i, total, outcome.item());
                switch (outcome.status()) {
                  case DONE -> counts[0]++;
                  case SKIPPED -> counts[1]++;
                  case FAILED -> failures.add(outcome);
                }
                listener.finished(i, total, outcome);
              }
            });
    return new Summary(
        counts[0], counts[1], List.copyOf(failures), (System.nanoTime() - start) / 1e9);
  }

  /** The outcomes of one group's items, in order. */
  private List<Outcome> process(List<Integer> group, GroupTask task) {
    Outcome[] outcomes = new Outcome[group.size()];
    List<Integer> work = new ArrayList<>();
    List<Item> workItems = new ArrayList<>();
    for (int k = 0; k < group.size(); k++) {
      Item item = items.get(group.get(k));
      if (item.clash() != null) {
        outcomes[k] = new Outcome(item, Status.FAILED, item.clash(), null, List.of(), 0);
      } else if (skip(item)) {
        outcomes[k] = new Outcome(item, Status.SKIPPED, "", null, List.of(), 0);
      } else {
        try {
          // A recursive plan mirrors the input tree: the output's folder may not exist yet.
          Files.createDirectories(item.output().toAbsolutePath().getParent());
          work.add(k);
          workItems.add(item);
        } catch (IOException | RuntimeException e) {
          String why = "cannot create the output folder: " + reason(e);
          outcomes[k] = new Outcome(item, Status.FAILED, why, e, List.of(), 0);
        }
      }
    }
    if (!workItems.isEmpty()) {
      long t0 = System.nanoTime();
      List<ItemResult> results;
      try {
        results = task.process(List.copyOf(workItems));
        if (results.size() != workItems.size()) {
          throw new IllegalStateException(
              results.size() + " results for " + workItems.size() + " items");
        }
      } catch (RuntimeException e) {
        double share = (System.nanoTime() - t0) / 1e9 / workItems.size();
        results = new ArrayList<>();
        for (int k = 0; k < workItems.size(); k++) {
          results.add(ItemResult.failed(e, share));
        }
      }
      for (int k = 0; k < workItems.size(); k++) {
        Item item = workItems.get(k);
        ItemResult r = results.get(k);
        outcomes[work.get(k)] =
            r.error() == null
                ? new Outcome(item, Status.DONE, "", null, r.warnings(), r.seconds())
                : new Outcome(
                    item, Status.FAILED, reason(r.error()), r.error(), List.of(), r.seconds());
      }
    }
    return List.of(outcomes);
  }

  private static String reason(Exception e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
