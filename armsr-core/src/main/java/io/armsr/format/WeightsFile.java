package io.armsr.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.format.TrainingProvenance.DataFolder;
import io.armsr.format.TrainingState.AdamState;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernets;
import io.armsr.model.WeightTensor;
import io.armsr.torch.CheckpointFormatException;
import io.armsr.torch.ModelLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The project's supernet weights file, and the training checkpoint, which is the same file with a
 * training section added, so any checkpoint can be used wherever weights are expected. Container
 * layout: {@link ArmsrContainer} with kind {@code 'W'}. Header (version 1):
 *
 * <pre>{@code
 * {"format":"armsr-weights", "kind":"weights"|"checkpoint",
 *  "backbone":"fsrcnn", "widths":[0,16,36,56], "paperFlops":[0,141262852,...],   (ARM.md 3.2)
 *  "tensors":[{"name":"head_conv.0.weight","shape":[56,3,5,5]}, ...],           (ARM.md 7 keys)
 *  "provenance":{"commandLine","data":[{"folder","images"}],"seed","iterations","created",
 *                "software","finalLoss"(null if NaN),"finalValidationPsnr":[...],
 *                "earlier":[{provenance of each run this one continued, oldest first}]},
 *  "training":{"iteration","seed","sampler","batch","iterations","lr0","etaMin",     (checkpoints)
 *              "adam":{"step","beta1","beta2","eps"}},
 *  "payloadBytes":P}
 * }</pre>
 *
 * Payload: every tensor of {@code tensors} as float32 little-endian, row-major, in header order; a
 * checkpoint follows them with Adam's {@code exp_avg} of every tensor in the same order, then its
 * {@code exp_avg_sq}.
 *
 * <p>The reader checks magic, version, checksum, backbone, widths, FLOPs table, keys and shapes
 * (against {@link Supernets#expectedShapes}) and that no value is NaN or infinite; every failure is
 * a one-line {@link CheckpointFormatException}.
 */
public final class WeightsFile {
  /** A checkpoint's payload: weights and Adam's two moments, float32, of the largest supernet. */
  private static final long MAX_PAYLOAD = 3L * Float.BYTES * ModelLimits.MAX_PARAMETERS;

  /** The version this class writes; it reads 1..VERSION. */
  public static final int VERSION = 1;

  static final String FORMAT = "armsr-weights";

  /**
   * What a weights file holds.
   *
   * @param training present in checkpoints only
   */
  public record Contents(
      Backbone backbone,
      StateDict weights,
      TrainingProvenance provenance,
      Optional<TrainingState> training) {}

  private WeightsFile() {}

  /** True if the file starts with this format's magic number. */
  public static boolean sniff(Path file) {
    return ArmsrContainer.hasMagic(ArmsrContainer.head(file, 8), ArmsrContainer.KIND_WEIGHTS);
  }

  /**
   * Writes weights (and, if {@code training} is not null, a checkpoint) atomically.
   *
   * @throws IllegalArgumentException if the weights do not fit the backbone
   */
  public static void write(
      Path file,
      Backbone backbone,
      StateDict weights,
      TrainingProvenance provenance,
      TrainingState training)
      throws IOException {
    byte[] bytes = encode(backbone, weights, provenance, training);
    AtomicFiles.write(file, bytes);
  }

  /** The bytes of a weights file; see {@link #write}. */
  public static byte[] encode(
      Backbone backbone, StateDict weights, TrainingProvenance provenance, TrainingState training) {
    Supernets.validate(backbone, weights);
    ObjectNode h = ArmsrContainer.JSON.createObjectNode();
    h.put("format", FORMAT);
    h.put("kind", training == null ? "weights" : "checkpoint");
    h.put("backbone", backbone.id());
    ArrayNode widths = h.putArray("widths");
    Arrays.stream(backbone.widths()).forEach(widths::add);
    ArrayNode flops = h.putArray("paperFlops");
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      flops.add(backbone.paperFlops(j));
    }
    ArrayNode tensors = h.putArray("tensors");
    for (Map.Entry<String, WeightTensor> e : weights.tensors().entrySet()) {
      ObjectNode t = tensors.addObject();
      t.put("name", e.getKey());
      ArrayNode shape = t.putArray("shape");
      Arrays.stream(e.getValue().shape()).forEach(shape::add);
    }
    h.set("provenance", provenanceJson(provenance));
    List<StateDict> blocks = new ArrayList<>(List.of(weights));
    if (training != null) {
      AdamState adam = training.adam();
      for (StateDict moment : List.of(adam.expAvg(), adam.expAvgSq())) {
        if (!moment.keys().equals(weights.keys())) {
          throw new IllegalArgumentException("Adam moments do not hold the weights' tensors");
        }
        Supernets.validate(backbone, moment);
        blocks.add(moment);
      }
      ObjectNode t = h.putObject("training");
      t.put("iteration", training.iteration());
      t.put("seed", training.seed());
      t.put("sampler", training.sampler());
      t.put("batch", training.batch());
      t.put("iterations", training.iterations());
      t.put("lr0", training.lr0());
      t.put("etaMin", training.etaMin());
      ObjectNode a = t.putObject("adam");
      a.put("step", adam.step());
      a.put("beta1", adam.beta1());
      a.put("beta2", adam.beta2());
      a.put("eps", adam.eps());
    }
    long floats = blocks.size() * weights.totalElements();
    ByteBuffer payload = ByteBuffer.allocate((int) (4 * floats)).order(ByteOrder.LITTLE_ENDIAN);
    for (StateDict block : blocks) {
      for (String key : weights.keys()) {
        for (float v : block.get(key).data()) {
          payload.putFloat(v);
        }
      }
    }
    return ArmsrContainer.encode(ArmsrContainer.KIND_WEIGHTS, VERSION, h, payload.array());
  }

  /**
   * Reads and validates a weights file or checkpoint.
   *
   * @throws CheckpointFormatException naming the file and the first problem found
   */
  public static Contents read(Path file) {
    var parsed =
        ArmsrContainer.decode(
            file, ArmsrContainer.KIND_WEIGHTS, VERSION, "armsr weights file", MAX_PAYLOAD);
    ObjectNode h = parsed.header();
    Backbone backbone = ArmsrContainer.backbone(file, h, FORMAT);
    checkLongs(file, h, "widths", Arrays.stream(backbone.widths()).asLongStream().toArray());
    long[] flops = new long[Backbone.SUBNETS];
    for (int j = 0; j < flops.length; j++) {
      flops[j] = backbone.paperFlops(j);
    }
    checkLongs(file, h, "paperFlops", flops);

    Map<String, long[]> shapes = new LinkedHashMap<>();
    JsonNode tensors = h.get("tensors");
    if (tensors == null || !tensors.isArray()) {
      throw new CheckpointFormatException(file, "header has no 'tensors' list");
    }
    for (JsonNode t : tensors) {
      String name = t.path("name").asText("");
      JsonNode shape = t.get("shape");
      if (name.isEmpty() || shape == null || !shape.isArray()) {
        throw new CheckpointFormatException(file, "a tensor entry lacks a name or shape");
      }
      long[] s = new long[shape.size()];
      for (int i = 0; i < s.length; i++) {
        s[i] = shape.get(i).asLong(-1);
        if (s[i] < 0 || s[i] > Integer.MAX_VALUE) {
          throw new CheckpointFormatException(file, "tensor '" + name + "' has a bad shape");
        }
      }
      if (shapes.put(name, s) != null) {
        throw new CheckpointFormatException(file, "tensor '" + name + "' appears twice");
      }
    }
    boolean checkpoint = h.has("training");
    // Each shape's product and their sum are bounded by the supernet: exact, not wrapping.
    long perBlock = 0;
    long most = ModelLimits.parameters(backbone);
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      long n = numel(e.getValue(), most);
      perBlock = n < 0 || perBlock + n > most ? -1 : perBlock + n;
      if (perBlock < 0) {
        throw new CheckpointFormatException(
            file,
            "tensor list holds more values than the "
                + backbone.id()
                + " supernet's "
                + most
                + " parameters (at '"
                + e.getKey()
                + "')");
      }
    }
    long blocks = checkpoint ? 3 : 1;
    if (parsed.payload().remaining() != 4 * perBlock * blocks) {
      throw new CheckpointFormatException(
          file,
          "payload holds "
              + parsed.payload().remaining()
              + " bytes, the tensor list needs "
              + 4 * perBlock * blocks);
    }
    ByteBuffer payload = parsed.payload();
    StateDict weights = block(file, backbone, shapes, payload, "");
    TrainingProvenance provenance = provenance(file, ArmsrContainer.object(file, h, "provenance"));
    Optional<TrainingState> training = Optional.empty();
    if (checkpoint) {
      StateDict m = block(file, backbone, shapes, payload, "Adam exp_avg of ");
      StateDict v = block(file, backbone, shapes, payload, "Adam exp_avg_sq of ");
      training = Optional.of(training(file, ArmsrContainer.object(file, h, "training"), m, v));
    }
    return new Contents(backbone, weights, provenance, training);
  }

  private static StateDict block(
      Path file, Backbone backbone, Map<String, long[]> shapes, ByteBuffer payload, String what) {
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      float[] data = new float[(int) numel(e.getValue())];
      for (int i = 0; i < data.length; i++) {
        data[i] = payload.getFloat();
        if (!Float.isFinite(data[i])) {
          throw new CheckpointFormatException(
              file, what + "tensor '" + e.getKey() + "' holds " + data[i] + " at element " + i);
        }
      }
      out.put(e.getKey(), new WeightTensor(e.getValue(), data));
    }
    StateDict sd = new StateDict(out);
    try {
      Supernets.validate(backbone, sd);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, e.getMessage(), e);
    }
    return sd;
  }

  private static TrainingState training(
      Path file, ObjectNode t, StateDict expAvg, StateDict expAvgSq) {
    ObjectNode a = ArmsrContainer.object(file, t, "adam");
    try {
      return new TrainingState(
          ArmsrContainer.integer(file, t, "iteration"),
          ArmsrContainer.integer(file, t, "seed"),
          ArmsrContainer.text(file, t, "sampler"),
          (int) ArmsrContainer.integer(file, t, "batch"),
          ArmsrContainer.integer(file, t, "iterations"),
          ArmsrContainer.number(file, t, "lr0"),
          ArmsrContainer.number(file, t, "etaMin"),
          new AdamState(
              ArmsrContainer.integer(file, a, "step"),
              ArmsrContainer.number(file, a, "beta1"),
              ArmsrContainer.number(file, a, "beta2"),
              ArmsrContainer.number(file, a, "eps"),
              expAvg,
              expAvgSq));
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, "training section: " + e.getMessage(), e);
    }
  }

  static ObjectNode provenanceJson(TrainingProvenance p) {
    ObjectNode o = ArmsrContainer.JSON.createObjectNode();
    o.put("commandLine", p.commandLine());
    ArrayNode data = o.putArray("data");
    for (DataFolder d : p.data()) {
      data.addObject().put("folder", d.folder()).put("images", d.images());
    }
    o.put("seed", p.seed());
    o.put("iterations", p.iterations());
    o.put("created", p.created());
    o.put("software", p.software());
    if (Double.isNaN(p.finalLoss())) {
      o.putNull("finalLoss");
    } else {
      o.put("finalLoss", p.finalLoss());
    }
    ArrayNode psnr = o.putArray("finalValidationPsnr");
    Arrays.stream(p.finalValidationPsnr()).forEach(psnr::add);
    // Optional (absent in files of runs that continued none, and in files written before it).
    if (!p.earlier().isEmpty()) {
      ArrayNode earlier = o.putArray("earlier");
      p.earlier().forEach(e -> earlier.add(provenanceJson(e)));
    }
    return o;
  }

  static TrainingProvenance provenance(Path file, ObjectNode o) {
    List<DataFolder> data = new ArrayList<>();
    for (JsonNode d : o.path("data")) {
      data.add(new DataFolder(d.path("folder").asText(), d.path("images").asInt()));
    }
    JsonNode loss = o.get("finalLoss");
    double[] psnr = new double[o.path("finalValidationPsnr").size()];
    for (int i = 0; i < psnr.length; i++) {
      psnr[i] = o.path("finalValidationPsnr").get(i).asDouble();
    }
    List<TrainingProvenance> earlier = new ArrayList<>();
    for (JsonNode e : o.path("earlier")) {
      if (!(e instanceof ObjectNode eo)) {
        throw new CheckpointFormatException(file, "provenance: 'earlier' holds a non-object");
      }
      earlier.add(provenance(file, eo));
    }
    try {
      return new TrainingProvenance(
          ArmsrContainer.text(file, o, "commandLine"),
          data,
          ArmsrContainer.integer(file, o, "seed"),
          ArmsrContainer.integer(file, o, "iterations"),
          ArmsrContainer.text(file, o, "created"),
          ArmsrContainer.text(file, o, "software"),
          loss == null || loss.isNull() ? Double.NaN : loss.asDouble(),
          psnr,
          earlier);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, "provenance: " + e.getMessage(), e);
    }
  }

  private static void checkLongs(Path file, ObjectNode h, String field, long[] expected) {
    JsonNode a = h.get(field);
    long[] have = new long[a == null ? 0 : a.size()];
    for (int i = 0; i < have.length; i++) {
      have[i] = a.get(i).asLong();
    }
    if (a == null || !a.isArray() || !Arrays.equals(have, expected)) {
      throw new CheckpointFormatException(
          file,
          "'"
              + field
              + "' is "
              + (a == null ? "missing" : a.toString())
              + ", expected "
              + Arrays.toString(expected)
              + " for backbone "
              + h.path("backbone").asText());
    }
  }

  private static long numel(long[] shape) {
    return numel(shape, Long.MAX_VALUE);
  }

  /** The product of {@code shape}, or -1 once it exceeds {@code most} (dimensions are >= 0). */
  private static long numel(long[] shape, long most) {
    long n = 1;
    for (long d : shape) {
      if (d == 0) {
        return 0;
      }
      if (n > most / d) {
        return -1;
      }
      n *= d;
    }
    return n;
  }
}
