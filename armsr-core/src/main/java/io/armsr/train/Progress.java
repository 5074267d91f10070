package io.armsr.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The training progress line on stderr: rewritten in place ({@code \r}) on a terminal, otherwise a
 * plain line every {@code every} iterations so that logs stay readable.
 */
final class Progress {
  private final PrintStream out;
  private final boolean inPlace;
  private final long every;
  private long lastPrintNanos;

  /**
   * @param inPlace true when the stream is a terminal (Java 17 cannot ask about stderr alone; the
   *     CLI passes {@code System.console() != null})
   */
  Progress(PrintStream out, boolean inPlace, long every) {
    this.out = out;
    this.inPlace = inPlace;
    this.every = every;
  }

  /** Reports iteration {@code i} of {@code total}; {@code rate} in iterations/s. */
  void update(long i, long total, double loss, double lr, double rate, boolean last) {
    long now = System.nanoTime();
    boolean due;
    if (inPlace) {
      // A terminal redraw ten times a second at most: printing is not free at 100+ it/s.
      due = last || now - lastPrintNanos > 100_000_000L;
    } else {
      due = last || i % every == 0;
    }
    if (!due) {
      return;
    }
    lastPrintNanos = now;
    String line =
        String.format(
            Locale.ROOT,
            "iter %d/%d  loss %.5f  lr %.3e  %.1f it/s  ETA %s",
            i,
            total,
            loss,
            lr,
            rate,
            duration(rate > 0 ? (total - i) / rate : Double.NaN));
    if (inPlace) {
      out.print("\r" + line + "\u001b[K" + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Prints a message on its own line (ending an in-place line first). */
  void message(String text) {
    if (inPlace && lastPrintNanos != 0) {
      out.print("\r\u001b[K");
    }
    out.println(text);
    out.flush();
  }

  static String duration(double seconds) {
    if (!Double.isFinite(seconds)) {
      return "?";
    }
    long s = Math.round(seconds);
    if (s >= 86_400) {
      return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
    }
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
  }
}
