package io.armsr.model;

/**
 * The patch geometry of ARM (ARM.md 2.1, 2.2, 5): images are cut into {@value #LR_PATCH} x {@value
 * #LR_PATCH} LR patches whose origins are {@value #STEP} pixels apart (4 pixels of overlap on each
 * side), every patch is scored and routed on its own, and a training or validation pair is an LR
 * patch with the {@value #HR_PATCH} x {@value #HR_PATCH} HR patch at 4x its position. The subnets'
 * costs ({@link Backbone#paperFlops}) are those of one such LR patch.
 *
 * <p>The one home of these numbers: the inference grid, the LUT's validation patches and the
 * training crops all use them.
 */
public final class PatchGeometry {

  /** LR patch side in pixels ({@code LQ_size}, {@code crop_sz}, the test-time patch). */
  public static final int LR_PATCH = 32;

  /** Step between patch origins in LR pixels (the release's {@code step}). */
  public static final int STEP = 28;

  /** HR patch side in pixels ({@code GT_size}): {@link #LR_PATCH} times the scale. */
  public static final int HR_PATCH = LR_PATCH * Backbone.SCALE;

  private PatchGeometry() {}
}
