package io.armsr.hostile;

import io.armsr.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the command line ({@link Main#run}) in this JVM and then records its peak resident memory,
 * {@code VmHWM} of {@code /proc/self/status} in kB, into the file named by the system property
 * {@value #PEAK_FILE_PROPERTY}, so that a test can assert a bound measured on the real process
 * rather than assumed from {@code -Xmx} (native memory counts too). Exits with the CLI's code.
 */
public final class MeasuredMain {
  /** System property naming the file that receives the peak resident memory in kB. */
  public static final String PEAK_FILE_PROPERTY = "armsr.test.peakFile";

  private MeasuredMain() {}

  public static void main(String[] args) throws IOException {
    int code = Main.run(args);
    String peakFile = System.getProperty(PEAK_FILE_PROPERTY);
    if (peakFile != null) {
      Files.writeString(Path.of(peakFile), Long.toString(peakKb()), StandardCharsets.US_ASCII);
    }
    System.exit(code);
  }

  /** {@code VmHWM} in kB, or -1 where {@code /proc} has none (not Linux). */
  static long peakKb() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
