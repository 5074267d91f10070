package io.armsr.format;

/** The name and version written into every file armsr makes (provenance) and shown by --version. */
public final class Software {
  /** E.g. {@code armsr 0.1.0}. */
  public static final String NAME_AND_VERSION = "armsr 0.1.0";

  private Software() {}
}
