package io.armsr.infer;

import ai.djl.ndarray.NDManager;
import io.armsr.format.ModelFiles;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernet;
import io.armsr.model.Supernets;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * A loaded ARM model: a supernet and its Edge-to-PSNR table. Owns the NDManager that holds the
 * weights; close it when done.
 */
public final class ArmModel implements AutoCloseable {
  private final Backbone backbone;
  private final Supernet supernet;
  private final PsnrTable table;
  private final NDManager manager;

  private ArmModel(Backbone backbone, Supernet supernet, PsnrTable table, NDManager manager) {
    this.backbone = backbone;
    this.supernet = supernet;
    this.table = table;
    this.manager = manager;
  }

  /**
   * Builds a model from weights and a table already in memory.
   *
   * @throws IllegalArgumentException naming the offending tensor if the weights do not fit the
   *     backbone, or if the table does not have one row per subnet
   */
  public static ArmModel of(Backbone backbone, StateDict weights, PsnrTable table) {
    checkTable(backbone, table);
    NDManager manager = NDManager.newBaseManager();
    try {
      Supernet net = Supernets.create(backbone, weights, manager);
      return new ArmModel(backbone, net, table, manager);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * Wraps a supernet built elsewhere (a test double, or weights built in memory). The model owns a
   * fresh manager for its batches and closes the supernet with itself.
   */
  public static ArmModel of(Supernet supernet, PsnrTable table) {
    checkTable(supernet.backbone(), table);
    return new ArmModel(supernet.backbone(), supernet, table, NDManager.newBaseManager());
  }

  /**
   * Loads weights and a lookup table from files: the project's own formats or the official {@code
   * .pth}/{@code .state}, told apart by their first bytes.
   *
   * @throws CheckpointFormatException naming the file and, where one is at fault, the tensor; also
   *     when the table's costs are not those of {@code backbone} (a table of another backbone)
   */
  public static ArmModel load(Backbone backbone, Path weights, Path lut) {
    StateDict dict = ModelFiles.readWeights(weights, backbone);
    PsnrTable table = ModelFiles.readLut(lut);
    try {
      checkTable(backbone, table);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(lut, e.getMessage(), e);
    }
    try {
      return of(backbone, dict, table);
    } catch (IllegalArgumentException e) {
      throw new CheckpointFormatException(weights, e.getMessage(), e);
    }
  }

  /**
   * Class-path folder of the embedded default models: {@code <backbone>.armw} and {@code .arml}.
   */
  static final String DEFAULT_RESOURCES = "/io/armsr/default/";

  /** True if this build embeds a default model for {@code backbone}. */
  public static boolean hasDefault(Backbone backbone) {
    return ArmModel.class.getResource(DEFAULT_RESOURCES + backbone.id() + ".armw") != null
        && ArmModel.class.getResource(DEFAULT_RESOURCES + backbone.id() + ".arml") != null;
  }

  /**
   * Loads the default model embedded in the jar (trained by the project, docs/TRAINING.md).
   *
   * @throws IllegalArgumentException if this build has none for {@code backbone}
   */
  public static ArmModel loadDefault(Backbone backbone) throws IOException {
    if (!hasDefault(backbone)) {
      throw new IllegalArgumentException(
          "this build embeds no default "
              + backbone.id()
              + " model: load weights and a table from files (armsr files or the official .pth/.state)");
    }
    Path weights = extract(backbone.id() + ".armw");
    try {
      Path lut = extract(backbone.id() + ".arml");
      try {
        return load(backbone, weights, lut);
      } finally {
        Files.deleteIfExists(lut);
      }
    } finally {
      Files.deleteIfExists(weights);
    }
  }

  /** Copies an embedded resource to a temporary file: the readers work on files. */
  private static Path extract(String name) throws IOException {
    Path tmp = Files.createTempFile("armsr-default-", "-" + name);
    try (InputStream in = ArmModel.class.getResourceAsStream(DEFAULT_RESOURCES + name)) {
      Files.copy(Objects.requireNonNull(in, name), tmp, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private static void checkTable(Backbone backbone, PsnrTable table) {
    Objects.requireNonNull(table, "table");
    if (table.subnets() != Backbone.SUBNETS) {
      throw new IllegalArgumentException(
          "the lookup table has "
              + table.subnets()
              + " subnets, "
              + backbone.id()
              + " needs "
              + Backbone.SUBNETS);
    }
    if (!Arrays.equals(table.costs(), backbone.paperFlopsList())) {
      throw new IllegalArgumentException(
          "the lookup table's costs "
              + Arrays.toString(table.costs())
              + " are not those of "
              + backbone.id()
              + " "
              + Arrays.toString(backbone.paperFlopsList())
              + " (a table of another backbone?)");
    }
  }

  public Backbone backbone() {
    return backbone;
  }

  public Supernet supernet() {
    return supernet;
  }

  public PsnrTable table() {
    return table;
  }

  /** The manager the weights live in; batches run in sub-managers of it. */
  NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    supernet.close();
    manager.close();
  }
}
