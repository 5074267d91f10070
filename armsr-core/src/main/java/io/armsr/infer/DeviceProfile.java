package io.armsr.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.TimeModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How long this machine takes to upscale, as a batch-aware {@link TimeModel} fitted by {@link
 * Calibrator} to whole upscales as the engine runs them (warm, batched, including scoring, patch
 * extraction and stitching), for {@code --budget-ms}.
 *
 * <p>Version 2 (written): the time model's fixed ms per image, ms per patch, and per subnet ms per
 * patch in a batch and ms per batch, with the engine path and batch size they were measured on and
 * the fit's quality. Version 1 (read, for profiles written before): one ms per patch of every
 * subnet, overheads included, measured on the whole-image path; it is read as a model with those
 * per-patch times and no fixed terms, which ignores the cost of partial batches, so {@code armsr
 * calibrate} should be re-run.
 *
 * @param backbone the backbone measured
 * @param grid the grid id ({@code full})
 * @param margin context margin in LR pixels
 * @param precision the convolutions' arithmetic measured ({@link io.armsr.model.Precision#id};
 *     {@code fp32} for profiles that do not say)
 * @param windows the engine's shared windows measured ({@code ROWSxCOLS}, {@code 1x1} for every
 *     patch alone, and for profiles that do not say)
 * @param threads libtorch intra-op threads, or 0 for the engine's default
 * @param time the fitted time model (its path and batch size are those measured)
 * @param fitRuns how many timed upscales the model was fitted to (0 for a version-1 profile)
 * @param fitError root-mean-square relative error of the fit over those runs (0 for version 1)
 * @param created ISO-8601 time of the measurement
 * @param host the machine's name and core count
 * @param version the file's format version
 */
public record DeviceProfile(
    Backbone backbone,
    String grid,
    int margin,
    String precision,
    String windows,
    int threads,
    TimeModel time,
    int fitRuns,
    double fitError,
    String created,
    String host,
    int version) {

  static final String FORMAT = "armsr-device-profile";

  /** The version {@link #write} writes. */
  public static final int VERSION = 2;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DeviceProfile {
    Objects.requireNonNull(backbone, "backbone");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(precision, "precision");
    Objects.requireNonNull(windows, "windows");
    if (time.subnets() != Backbone.SUBNETS) {
      throw new IllegalArgumentException(
          "a profile needs times for " + Backbone.SUBNETS + " subnets");
    }
    if (fitRuns < 0 || !(fitError >= 0) || Double.isInfinite(fitError)) {
      throw new IllegalArgumentException("bad fit record: " + fitRuns + " runs, error " + fitError);
    }
    if (version != 1 && version != VERSION) {
      throw new IllegalArgumentException("version " + version + " (this armsr reads 1 and 2)");
    }
  }

  /** Patches per forward pass the model was measured with. */
  public int batch() {
    return time.batchSize();
  }

  /** Writes the profile as JSON (version 2), atomically. */
  public void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("backbone", backbone.id());
    root.put("grid", grid);
    root.put("margin", margin);
    root.put("precision", precision);
    root.put("windows", windows);
    root.put("batch", time.batchSize());
    root.put("threads", threads);
    root.put("path", time.path().id());
    root.put("imageMs", time.imageMs());
    root.put("patchMs", time.patchMs());
    var inBatch = root.putArray("batchPatchMs");
    for (double t : time.batchPatchMs()) {
      inBatch.add(t);
    }
    var perBatch = root.putArray("batchMs");
    for (double t : time.batchMs()) {
      perBatch.add(t);
    }
    ObjectNode fit = root.putObject("fit");
    fit.put("runs", fitRuns);
    fit.put("rmsRelativeError", fitError);
    root.put("created", created);
    root.put("host", host);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    AtomicFiles.write(file, out -> JSON.writeValue(out, root));
  }

  /**
   * Reads a profile of version 1 or 2.
   *
   * @throws IllegalArgumentException with a one-line message naming the file if it is not a valid
   *     profile
   */
  public static DeviceProfile read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "device profile " + file + " does not exist (run 'armsr calibrate' first)");
    }
    JsonNode n;
    try {
      n = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("device profile " + file + " is not JSON", e);
    }
    if (n == null || !FORMAT.equals(n.path("format").asText())) {
      throw new IllegalArgumentException("device profile " + file + " is not an armsr profile");
    }
    // Version 1 files were written with a version field too; a file without one is version 1.
    int version = n.path("version").asInt(1);
    if (version != 1 && version != VERSION) {
      throw new IllegalArgumentException(
          "device profile "
              + file
              + " has version "
              + n.path("version")
              + "; this armsr reads versions 1 and 2 (re-run 'armsr calibrate')");
    }
    int batch = n.path("batch").asInt(0);
    try {
      Backbone backbone = Backbone.parse(n.path("backbone").asText());
      TimeModel time;
      int runs = 0;
      double error = 0;
      if (version == 1) {
        time = TimeModel.perPatch(Batching.Path.WHOLE, batch, times(n, "msPerPatch"));
      } else {
        time =
            new TimeModel(
                Batching.Path.parse(n.path("path").asText()),
                batch,
                number(n, "imageMs"),
                number(n, "patchMs"),
                times(n, "batchPatchMs"),
                times(n, "batchMs"));
        runs = n.path("fit").path("runs").asInt(0);
        error = n.path("fit").path("rmsRelativeError").asDouble(0);
      }
      return new DeviceProfile(
          backbone,
          n.path("grid").asText(),
          n.path("margin").asInt(),
          n.path("precision").asText("fp32"),
          n.path("windows").asText("1x1"),
          n.path("threads").asInt(),
          time,
          runs,
          error,
          n.path("created").asText(),
          n.path("host").asText(),
          version);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device profile " + file + ": " + e.getMessage(), e);
    }
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = n.path(field);
    if (!v.isNumber()) {
      throw new IllegalArgumentException("needs a number in " + field);
    }
    return v.asDouble();
  }

  private static double[] times(JsonNode n, String field) {
    JsonNode times = n.path(field);
    if (!times.isArray() || times.size() != Backbone.SUBNETS) {
      throw new IllegalArgumentException("needs " + Backbone.SUBNETS + " times in " + field);
    }
    double[] t = new double[Backbone.SUBNETS];
    for (int j = 0; j < t.length; j++) {
      t[j] = times.get(j).isNumber() ? times.get(j).asDouble() : Double.NaN;
      if (!(t[j] >= 0) || Double.isInfinite(t[j])) {
        throw new IllegalArgumentException("bad time " + times.get(j) + " in " + field);
      }
    }
    return t;
  }

  /** The default location: {@code ~/.armsr/profile-<backbone>.json}. */
  public static Path defaultPath(Backbone backbone) {
    return Path.of(System.getProperty("user.home"), ".armsr", "profile-" + backbone.id() + ".json");
  }
}
