package io.armsr.cli;

import io.armsr.format.Software;
import io.armsr.imagefile.ImageReadException;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code armsr} command line. Every error reaches the user as one line on stderr and a
 * documented exit code (see {@link ExitCode}); never as a stack trace.
 */
@Command(
    name = "armsr",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Any-time super-resolution (ARM, ECCV 2022): adaptive x4 upscaling.",
    subcommands = {
      UpscaleCommand.class,
      CompareCommand.class,
      EvalCommand.class,
      TrainCommand.class,
      BuildLutCommand.class,
      PlotTrainingCommand.class,
      CalibrateCommand.class,
      BenchCommand.class,
      ServeCommand.class,
      BenchServeCommand.class
    })
public final class Main implements Runnable {

  /**
   * The command as the user typed it, for provenance: {@code armsr} and the original arguments of
   * the root command's parse result.
   */
  static String typedCommandLine(CommandLine.Model.CommandSpec spec) {
    return "armsr " + String.join(" ", spec.root().commandLine().getParseResult().originalArgs());
  }

  /** {@code armsr --version}: the version and commit the build recorded ({@link Software}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Software.NAME_AND_VERSION};
    }
  }

  /** Exit codes of the command line. */
  public enum ExitCode {
    OK(0),
    INTERNAL(1),
    USAGE(2),
    BAD_INPUT(3),
    BAD_MODEL(4),
    WRITE_FAILED(5);

    public final int code;

    ExitCode(int code) {
      this.code = code;
    }
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "missing command (upscale, compare, eval, train, build-lut, plot-training, calibrate, bench,"
            + " serve, bench-serve)");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (thrown, cmd, parsed) -> {
          Throwable e = unwrap(thrown);
          ExitCode code = classify(e);
          String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          cmd.getErr()
              .println(
                  "armsr: "
                      + (code == ExitCode.INTERNAL ? "internal error: " : "")
                      + Printable.of(message));
          cmd.getErr().flush();
          return code.code;
        });
    cl.setParameterExceptionHandler(
        (e, a) -> {
          e.getCommandLine().getErr().println("armsr: " + Printable.of(e.getMessage()));
          e.getCommandLine()
              .getErr()
              .println(
                  "(see '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
          return ExitCode.USAGE.code;
        });
    return cl.execute(args);
  }

  /**
   * The error to report for {@code e}: the library passes an unreadable image or model file through
   * code that may only throw unchecked exceptions (lazy iterators, worker threads) wrapped in an
   * {@link UncheckedIOException}, {@link CompletionException} or {@link ExecutionException}; the
   * wrapped file error decides the exit code and is the message.
   */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof UncheckedIOException
            || t instanceof CompletionException
            || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t instanceof ImageReadException || t instanceof CheckpointFormatException ? t : e;
  }

  static ExitCode classify(Throwable thrown) {
    Throwable e = unwrap(thrown);
    if (e instanceof ImageReadException) {
      return ExitCode.BAD_INPUT;
    }
    if (e instanceof CheckpointFormatException) {
      return ExitCode.BAD_MODEL;
    }
    if (e instanceof UncheckedIOException || e instanceof IOException) {
      return ExitCode.WRITE_FAILED;
    }
    if (e instanceof IllegalArgumentException) {
      return ExitCode.USAGE;
    }
    return ExitCode.INTERNAL;
  }
}
