package io.armsr.format;

import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernets;
import io.armsr.torch.CheckpointFormatException;
import io.armsr.torch.OfficialCheckpoint;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads weights and lookup tables from either the project's own files ({@link WeightsFile}, {@link
 * LutFile}) or the official release's {@code .pth}/{@code .state} (ARM.md 7, through {@link
 * OfficialCheckpoint}), telling them apart by their first bytes: the project's magic numbers, or
 * the {@code PK} of a PyTorch zip archive.
 */
public final class ModelFiles {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  private ModelFiles() {}

  /**
   * Supernet weights for {@code backbone} from an armsr weights file or checkpoint, or an official
   * {@code .pth}.
   *
   * @throws CheckpointFormatException if the file is of neither kind, is damaged, or holds weights
   *     of another backbone, with other shapes, or with NaN or infinite values
   */
  public static StateDict readWeights(Path file, Backbone backbone) {
    byte[] head = ArmsrContainer.head(file, 8);
    if (ArmsrContainer.hasMagic(head, ArmsrContainer.KIND_WEIGHTS)) {
      WeightsFile.Contents c = WeightsFile.read(file);
      if (c.backbone() != backbone) {
        throw new CheckpointFormatException(
            file, "holds " + c.backbone().id() + " weights, expected " + backbone.id());
      }
      return c.weights();
    }
    if (ArmsrContainer.hasMagic(head, ArmsrContainer.KIND_LUT)) {
      throw new CheckpointFormatException(file, "is an armsr LUT file, not weights");
    }
    if (isZip(head)) {
      StateDict sd = OfficialCheckpoint.readStateDict(file);
      try {
        Supernets.validate(backbone, sd);
      } catch (IllegalArgumentException e) {
        throw new CheckpointFormatException(file, e.getMessage(), e);
      }
      return requireFinite(file, sd);
    }
    throw new CheckpointFormatException(
        file, "neither an armsr weights file nor a PyTorch .pth (unknown magic number)");
  }

  /**
   * The training provenance of an armsr weights file or checkpoint; empty for an official {@code
   * .pth}, which records none.
   *
   * @throws CheckpointFormatException if the file is an armsr weights file but damaged
   */
  public static Optional<TrainingProvenance> provenanceOf(Path file) {
    byte[] head = ArmsrContainer.head(file, 8);
    return ArmsrContainer.hasMagic(head, ArmsrContainer.KIND_WEIGHTS)
        ? Optional.of(WeightsFile.read(file).provenance())
        : Optional.empty();
  }

  /**
   * The Edge-to-PSNR table of an armsr LUT file or an official {@code .state}.
   *
   * @throws CheckpointFormatException if the file is of neither kind or is damaged
   */
  public static PsnrTable readLut(Path file) {
    byte[] head = ArmsrContainer.head(file, 8);
    if (ArmsrContainer.hasMagic(head, ArmsrContainer.KIND_LUT)) {
      return LutFile.read(file).table().table();
    }
    if (ArmsrContainer.hasMagic(head, ArmsrContainer.KIND_WEIGHTS)) {
      throw new CheckpointFormatException(file, "is an armsr weights file, not a LUT");
    }
    if (isZip(head)) {
      return OfficialCheckpoint.readLut(file);
    }
    throw new CheckpointFormatException(
        file, "neither an armsr LUT file nor a PyTorch .state (unknown magic number)");
  }

  /**
   * Refuses official weights holding NaN or infinity (armsr files are checked as they are read): a
   * network with one such value writes black or garbage pixels wherever it reaches, with no error.
   * Costs one pass over the weights (a few MB).
   */
  private static StateDict requireFinite(Path file, StateDict sd) {
    for (var e : sd.tensors().entrySet()) {
      float[] d = e.getValue().data();
      for (int i = 0; i < d.length; i++) {
        if (!Float.isFinite(d[i])) {
          throw new CheckpointFormatException(
              file, "tensor '" + e.getKey() + "' holds " + d[i] + " at element " + i);
        }
      }
    }
    return sd;
  }

  private static boolean isZip(byte[] head) {
    if (head.length < ZIP_MAGIC.length) {
      return false;
    }
    for (int i = 0; i < ZIP_MAGIC.length; i++) {
      if (head[i] != ZIP_MAGIC[i]) {
        return false;
      }
    }
    return true;
  }
}
