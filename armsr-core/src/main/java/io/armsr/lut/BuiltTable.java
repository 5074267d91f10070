package io.armsr.lut;

import java.util.Objects;

/**
 * A lookup table built from validation patches (ARM.md 4.2), with the statistics a table file
 * records beside it.
 *
 * @param table the table used for routing; bins that were empty hold values filled from their
 *     neighbours (see {@code filled})
 * @param binCounts validation patches per edge-score bin (shared by all subnets)
 * @param filled {@code filled[j][bin]} is true where subnet j's mean PSNR was not measured but
 *     filled from the neighbouring bins
 * @param patches total number of validation patches
 * @param scoreMin smallest edge score of the patches (the left edge of bin 0, unless all scores are
 *     equal and the range was widened as numpy does)
 * @param scoreMax largest edge score of the patches (the right edge of the last bin, but for the
 *     same exception)
 */
public record BuiltTable(
    PsnrTable table,
    int[] binCounts,
    boolean[][] filled,
    int patches,
    double scoreMin,
    double scoreMax) {
  public BuiltTable {
    Objects.requireNonNull(table, "table");
    if (binCounts.length != table.bins() || filled.length != table.subnets()) {
      throw new IllegalArgumentException("bin statistics do not match the table's shape");
    }
  }
}
