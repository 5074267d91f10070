package io.armsr.infer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.io.AtomicFiles;
import io.armsr.model.Backbone;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What one patch of each subnet costs in wall time on this machine, measured by {@link Calibrator}
 * as the engine runs it (batched, warm, whole upscale including patch extraction, scoring and
 * stitching), for {@code --budget-ms}.
 *
 * @param backbone the backbone measured
 * @param grid the grid id ({@code full})
 * @param margin context margin in LR pixels
 * @param batch patches per forward pass
 * @param threads libtorch intra-op threads, or 0 for the engine's default
 * @param msPerPatch milliseconds per patch of every subnet, bicubic included
 * @param created ISO-8601 time of the measurement
 * @param host the machine's name and core count
 */
public record DeviceProfile(
    Backbone backbone,
    String grid,
    int margin,
    int batch,
    int threads,
    double[] msPerPatch,
    String created,
    String host) {

  static final String FORMAT = "armsr-device-profile";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public DeviceProfile {
    Objects.requireNonNull(backbone, "backbone");
    if (msPerPatch.length != Backbone.SUBNETS) {
      throw new IllegalArgumentException("a profile needs one time per subnet");
    }
    msPerPatch = msPerPatch.clone();
  }

  @Override
  public double[] msPerPatch() {
    return msPerPatch.clone();
  }

  /** Writes the profile as JSON, atomically. */
  public void write(Path file) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", 1);
    root.put("backbone", backbone.id());
    root.put("grid", grid);
    root.put("margin", margin);
    root.put("batch", batch);
    root.put("threads", threads);
    var times = root.putArray("msPerPatch");
    for (double t : msPerPatch) {
      times.add(t);
    }
    root.put("created", created);
    root.put("host", host);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    AtomicFiles.write(file, out -> JSON.writeValue(out, root));
  }

  /**
   * Reads a profile.
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
    JsonNode times = n.path("msPerPatch");
    if (!times.isArray() || times.size() != Backbone.SUBNETS) {
      throw new IllegalArgumentException(
          "device profile " + file + " needs " + Backbone.SUBNETS + " times in msPerPatch");
    }
    double[] t = new double[Backbone.SUBNETS];
    for (int j = 0; j < t.length; j++) {
      t[j] = times.get(j).asDouble(Double.NaN);
      if (!(t[j] >= 0) || Double.isInfinite(t[j])) {
        throw new IllegalArgumentException(
            "device profile " + file + " has a bad time " + times.get(j));
      }
    }
    try {
      return new DeviceProfile(
          Backbone.parse(n.path("backbone").asText()),
          n.path("grid").asText(),
          n.path("margin").asInt(),
          n.path("batch").asInt(),
          n.path("threads").asInt(),
          t,
          n.path("created").asText(),
          n.path("host").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("device profile " + file + ": " + e.getMessage(), e);
    }
  }

  /** The default location: {@code ~/.armsr/profile-<backbone>.json}. */
  public static Path defaultPath(Backbone backbone) {
    return Path.of(System.getProperty("user.home"), ".armsr", "profile-" + backbone.id() + ".json");
  }
}
