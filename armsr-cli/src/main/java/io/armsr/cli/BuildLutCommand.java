package io.armsr.cli;

import ai.djl.ndarray.NDManager;
import io.armsr.format.LutFile;
import io.armsr.format.LutProvenance;
import io.armsr.format.ModelFiles;
import io.armsr.format.Software;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.lut.BuiltTable;
import io.armsr.lut.LutBuilder;
import io.armsr.lut.PatchPair;
import io.armsr.lut.ValidationPatches;
import io.armsr.model.Backbone;
import io.armsr.model.Supernet;
import io.armsr.model.Supernets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code armsr build-lut}: measures the Edge-to-PSNR table of a supernet on validation images
 * (ARM.md 4.2), cutting them densely since a few hundred images give few patches at step 28.
 */
@Command(
    name = "build-lut",
    mixinStandardHelpOptions = true,
    description = "Build the Edge-to-PSNR lookup table of a supernet from validation HR images.")
final class BuildLutCommand implements Callable<Integer> {

  @Option(
      names = "--backbone",
      defaultValue = "fsrcnn",
      description = "fsrcnn, carn or srresnet (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(
      names = "--weights",
      required = true,
      paramLabel = "F",
      description = "supernet weights: an armsr weights file or an official .pth")
  Path weights;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "validation HR images (LR = MATLAB bicubic x1/4)")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "F", description = "the LUT file to write")
  Path out;

  @Option(
      names = "--step",
      defaultValue = "" + ValidationPatches.DEFAULT_STEP,
      description = "LR step between patches (default: ${DEFAULT-VALUE}; the release used 28)")
  int step;

  @Option(names = "--dihedral", description = "also use the 8 flips/rotations of every patch")
  boolean dihedral;

  @Option(
      names = "--bins",
      defaultValue = "" + LutBuilder.OFFICIAL_BINS,
      description = "edge-score bins (default: ${DEFAULT-VALUE})")
  int bins;

  @Option(
      names = "--batch",
      defaultValue = "64",
      description = "patches per forward pass (default: ${DEFAULT-VALUE})")
  int batch;

  @Mixin ThreadOptions threads;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    threads.apply();
    Backbone b = Backbone.parse(backbone);
    if (step < 1 || bins < 1 || batch < 1) {
      throw new IllegalArgumentException("--step, --bins and --batch must be positive");
    }
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("--data " + data + ": not a folder");
    }
    List<Path> images = ValidationPatches.imageFiles(data);
    if (images.isEmpty()) {
      throw new IllegalArgumentException(
          "--data " + data + ": no images (" + ImageExtensions.describeReadable() + ")");
    }
    ModelOptions.requireFile(weights, "--weights");
    var dict = ModelFiles.readWeights(weights, b);
    Iterable<PatchPair> patches = ValidationPatches.fromFiles(images, step, dihedral);
    BuiltTable built;
    try (NDManager manager = NDManager.newBaseManager();
        Supernet net = Supernets.create(b, dict, manager)) {
      built =
          LutBuilder.build(
              net,
              b.paperFlopsList(),
              patches,
              bins,
              batch,
              done -> {
                if (done % 2048 == 0) {
                  System.err.printf("build-lut: %d patches%n", done);
                }
              });
    }
    String commandLine = Main.typedCommandLine(spec);
    LutProvenance provenance =
        new LutProvenance(
            commandLine,
            weights.toString(),
            sha256(weights),
            data.toString(),
            images.size(),
            Instant.now().toString(),
            Software.NAME_AND_VERSION);
    LutFile.write(out, b, built, provenance);
    int filled = 0;
    for (boolean[] row : built.filled()) {
      for (boolean f : row) {
        filled += f ? 1 : 0;
      }
    }
    System.out.printf(
        "%s: %d patches from %d images, %d bins, edge scores %.3f..%.3f, %d empty bins filled%n",
        out, built.patches(), images.size(), bins, built.scoreMin(), built.scoreMax(), filled);
    return 0;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
      MessageDigest md = ((DigestInputStream) in).getMessageDigest();
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(md.digest());
    }
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
