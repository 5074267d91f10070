package io.armsr.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as events instead of the JVM's exit: a service that is told to stop drains its
 * requests and then exits 0, where the JVM's own handling would run the shutdown hooks and exit 143
 * (or 130), which service managers report as a failure.
 */
final class Signals {
  private Signals() {}

  /** Runs {@code action} (on a signal thread) when the process gets SIGTERM or SIGINT. */
  static void onTerminate(Runnable action) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), s -> action.run());
    }
  }
}
