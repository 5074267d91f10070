package io.armsr.cli;

import io.armsr.chart.TrainingCurves;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code armsr plot-training}: loss and validation curves of one or more training logs. */
@Command(
    name = "plot-training",
    mixinStandardHelpOptions = true,
    description = "Plot the loss and validation PSNR of training logs (<out>.csv) to a PNG.")
final class PlotTrainingCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "CSV", description = "training logs written by train")
  List<Path> logs;

  @Option(names = "--out", required = true, paramLabel = "F.png", description = "the PNG to write")
  Path out;

  @Override
  public Integer call() throws IOException {
    for (Path p : logs) {
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException(p + ": no such file");
      }
    }
    TrainingCurves.render(logs, out);
    System.out.println("wrote " + out);
    return 0;
  }
}
