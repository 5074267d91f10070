package io.armsr.lut;

import io.armsr.image.Rgb8Image;

/** One validation sample: an LR patch and its ground truth, exactly 4x its size. */
public record PatchPair(Rgb8Image lr, Rgb8Image hr) {
  public PatchPair {
    if (hr.width() != 4 * lr.width() || hr.height() != 4 * lr.height()) {
      throw new IllegalArgumentException(
          "HR patch "
              + hr.width()
              + "x"
              + hr.height()
              + " is not 4x the LR patch "
              + lr.width()
              + "x"
              + lr.height());
    }
  }
}
