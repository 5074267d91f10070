package io.armsr.cli;

import io.armsr.infer.FolderJob;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress of a folder run on stderr: on a console one line redrawn in place ({@code \r}) with
 * a bar; otherwise (a log, a pipe) one line per image, so the log stays readable.
 */
final class FolderProgress implements FolderJob.Listener {
  private static final int BAR = 24;

  private final PrintStream err;
  private final boolean console;
  private int lastLength;

  FolderProgress(PrintStream err, boolean console) {
    this.err = err;
    this.console = console;
  }

  @Override
  public void started(int index, int total, FolderJob.Item item) {
    if (console) {
      redraw(bar(index, total) + " " + Printable.of(item.name()));
    }
  }

  @Override
  public void finished(int index, int total, FolderJob.Outcome outcome) {
    String name = Printable.of(outcome.item().name());
    double seconds = outcome.seconds();
    String what =
        switch (outcome.status()) {
          case DONE -> String.format(Locale.ROOT, "done (%.2f s)", seconds);
          case SKIPPED -> "skipped (output exists)";
          case FAILED -> "failed: " + Printable.of(outcome.reason());
        };
    if (console) {
      // Failures and warnings stay on screen; the bar is redrawn below them.
      if (outcome.status() == FolderJob.Status.FAILED || !outcome.warnings().isEmpty()) {
        redraw("");
        err.print('\r');
        if (outcome.status() == FolderJob.Status.FAILED) {
          err.println("armsr: " + name + ": " + what);
        }
        outcome.warnings().forEach(w -> err.println("armsr: warning: " + Printable.of(w)));
      }
      redraw(bar(index + 1, total) + " " + name + ": " + what);
      if (index + 1 == total) {
        err.println();
      }
    } else {
      err.printf("[%d/%d] %s: %s%n", index + 1, total, name, what);
      outcome.warnings().forEach(w -> err.println("armsr: warning: " + Printable.of(w)));
    }
    err.flush();
  }

  private static String bar(int done, int total) {
    int filled = total == 0 ? BAR : done * BAR / total;
    return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + done + "/" + total;
  }

  /** Overwrites the current console line with {@code text}, blanking what was longer. */
  private void redraw(String text) {
    int pad = Math.max(0, lastLength - text.length());
    err.print("\r" + text + " ".repeat(pad));
    lastLength = text.length();
    err.flush();
  }
}
