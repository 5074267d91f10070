package io.armsr.torch;

import io.armsr.lut.PsnrTable;
import io.armsr.model.StateDict;
import io.armsr.model.WeightTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the official ARM release files (chenbong/ARM-Net, ARM.md 7) without Python: the supernet
 * weights of a {@code .pth} and the Edge-to-PSNR table (ARM.md 4.2) of a {@code .state}. Every
 * failure is a {@link CheckpointFormatException} whose one-line message names the file and, where
 * one is involved, the tensor or table key.
 */
public final class OfficialCheckpoint {
  /** Keys under which BasicSR-style training code nests a state dict ({@code {'params': sd}}). */
  private static final List<String> NESTED_STATE_DICT_KEYS = List.of("params", "state_dict");

  private static final String MODULE_PREFIX = "module.";

  /** More rows than any table of subnets can have (ARM has 4); refused before allocating them. */
  private static final long MAX_TABLE_ROWS = 1 << 10;

  private OfficialCheckpoint() {}

  /**
   * The state dict of a {@code .pth} file, in file order. A {@code module.} prefix, left by {@code
   * nn.DataParallel}, is stripped from each key as {@code BaseModel.load_network} does; a state
   * dict nested under {@code params} or {@code state_dict} is also accepted.
   *
   * @throws CheckpointFormatException if the file is unreadable, is not a dict of tensors, or holds
   *     a tensor that is not float32 or whose data is missing or short
   */
  public static StateDict readStateDict(Path pth) {
    try (TorchArchive archive = TorchArchive.open(pth)) {
      Map<?, ?> dict = asMap(pth, archive.root(), "the pickled object");
      for (String nested : NESTED_STATE_DICT_KEYS) {
        if (dict.get(nested) instanceof Map<?, ?> inner) {
          dict = inner;
          break;
        }
      }
      Map<String, WeightTensor> tensors = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : dict.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new CheckpointFormatException(
              pth,
              "state dict key " + RestrictedUnpickler.describe(e.getKey()) + " is not a string");
        }
        if (!(e.getValue() instanceof StoredTensor stored)) {
          throw new CheckpointFormatException(
              pth,
              "entry '"
                  + key
                  + "' is "
                  + RestrictedUnpickler.describe(e.getValue())
                  + ", not a tensor: not a state dict");
        }
        String name = key.startsWith(MODULE_PREFIX) ? key.substring(MODULE_PREFIX.length()) : key;
        if (tensors.put(name, archive.tensor(stored, key)) != null) {
          throw new CheckpointFormatException(
              pth, "tensor '" + name + "' appears twice (with and without 'module.')");
        }
      }
      if (tensors.isEmpty()) {
        throw new CheckpointFormatException(pth, "state dict holds no tensors");
      }
      return new StateDict(tensors);
    }
  }

  /**
   * The Edge-to-PSNR table stored in a {@code .state} file under {@code hmap} (ARM.md 4.2, 7):
   * {@code hmap_x_list} (bin centres), {@code hmap_y_mean_list} (mean PSNR per bin) and {@code
   * cost_list}, row 0 being bicubic. float64 values are kept bit for bit; float32 ones widen
   * exactly. Tensors elsewhere in the file (the optimizer's moments) are never read.
   *
   * @throws CheckpointFormatException if the file is unreadable, has no {@code hmap}, or the table
   *     is missing a key, has an unsupported dtype, or rows that disagree in length
   */
  public static PsnrTable readLut(Path state) {
    try (TorchArchive archive = TorchArchive.open(state)) {
      Map<?, ?> root = asMap(state, archive.root(), "the pickled object");
      if (!root.containsKey("hmap")) {
        throw new CheckpointFormatException(
            state, "no 'hmap' entry (the Edge-to-PSNR table): not an ARM .state file");
      }
      Map<?, ?> hmap = asMap(state, root.get("hmap"), "'hmap'");
      double[][] centres = rows(state, hmap, "hmap_x_list");
      double[][] means = rows(state, hmap, "hmap_y_mean_list");
      double[] costs = vector(state, require(state, hmap, "cost_list"), "hmap.cost_list");
      try {
        return new PsnrTable(centres, means, costs);
      } catch (IllegalArgumentException e) {
        throw new CheckpointFormatException(state, "'hmap': " + e.getMessage(), e);
      }
    }
  }

  /**
   * How far training had gone when a {@code .state} file was saved (ARM.md 7: the official files
   * say epoch 21, iteration 2,000,002).
   */
  public record TrainingProgress(long epoch, long iter) {}

  /**
   * The {@code epoch} and {@code iter} of a {@code .state} file.
   *
   * @throws CheckpointFormatException if the file is unreadable or either entry is missing or not
   *     an integer
   */
  public static TrainingProgress readProgress(Path state) {
    try (TorchArchive archive = TorchArchive.open(state)) {
      Map<?, ?> root = asMap(state, archive.root(), "the pickled object");
      return new TrainingProgress(integer(state, root, "epoch"), integer(state, root, "iter"));
    }
  }

  private static long integer(Path file, Map<?, ?> root, String key) {
    if (root.get(key) instanceof Integer || root.get(key) instanceof Long) {
      return ((Number) root.get(key)).longValue();
    }
    throw new CheckpointFormatException(
        file,
        "'" + key + "' is " + RestrictedUnpickler.describe(root.get(key)) + ", not an integer");
  }

  private static Object require(Path file, Map<?, ?> hmap, String key) {
    if (!hmap.containsKey(key)) {
      throw new CheckpointFormatException(file, "'hmap' has no '" + key + "'");
    }
    return hmap.get(key);
  }

  /** A list of 1-D arrays (the official layout) or a 2-D array, one row per subnet. */
  private static double[][] rows(Path file, Map<?, ?> hmap, String key) {
    Object value = require(file, hmap, key);
    String where = "hmap." + key;
    if (value instanceof NumpyArray a && a.shape().length == 2) {
      double[] flat = decode(file, a, where);
      // The shape matched the bytes when the array was read; an empty array may still claim
      // billions of rows of nothing, which must not become billions of row arrays.
      if (a.shape()[0] > MAX_TABLE_ROWS) {
        throw new CheckpointFormatException(
            file, where + " has " + a.shape()[0] + " rows; a table has one per subnet");
      }
      int rows = (int) a.shape()[0];
      int cols = rows == 0 ? 0 : flat.length / rows;
      double[][] out = new double[rows][];
      for (int j = 0; j < rows; j++) {
        out[j] = Arrays.copyOfRange(flat, j * cols, (j + 1) * cols);
      }
      return out;
    }
    if (!(value instanceof List<?> list)) {
      throw new CheckpointFormatException(
          file, where + " is " + RestrictedUnpickler.describe(value) + ", not a list of arrays");
    }
    double[][] out = new double[list.size()][];
    for (int j = 0; j < out.length; j++) {
      out[j] = vector(file, list.get(j), where + "[" + j + "]");
    }
    return out;
  }

  /** A 1-D numpy array, or a list of numbers. */
  private static double[] vector(Path file, Object value, String where) {
    if (value instanceof NumpyArray a) {
      if (a.shape().length != 1) {
        throw new CheckpointFormatException(
            file, where + " has shape " + Arrays.toString(a.shape()) + ", expected 1-D");
      }
      return decode(file, a, where);
    }
    if (value instanceof List<?> list) {
      double[] out = new double[list.size()];
      for (int i = 0; i < out.length; i++) {
        if (!(list.get(i) instanceof Number x)) {
          throw new CheckpointFormatException(file, where + "[" + i + "] is not a number");
        }
        out[i] = x.doubleValue();
      }
      return out;
    }
    throw new CheckpointFormatException(
        file, where + " is " + RestrictedUnpickler.describe(value) + ", not an array");
  }

  private static double[] decode(Path file, NumpyArray a, String where) {
    try {
      return a.toDoubles();
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(file, where + ": " + e.getMessage(), e);
    }
  }

  private static Map<?, ?> asMap(Path file, Object o, String what) {
    if (!(o instanceof Map<?, ?> m)) {
      throw new CheckpointFormatException(
          file, what + " is " + RestrictedUnpickler.describe(o) + ", not a dict");
    }
    return m;
  }
}
