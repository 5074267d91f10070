package io.armsr.infer;

/**
 * The SR patches of one forward pass as they come out of the network ({@link BatchRunner}).
 *
 * @param data (B, 3, 4(H + 2m), 4(W + 2m)) with the margins, unclamped; or with {@code subPixel}
 *     (B, H, W, 48): the centres only, before the x4 pixel shuffle, channels last, clamped to [0,
 *     1] (H, W: the patch in LR pixels, m: the margin)
 * @param subPixel which of the two layouts {@code data} has
 */
record SrBatch(float[] data, boolean subPixel) {}
