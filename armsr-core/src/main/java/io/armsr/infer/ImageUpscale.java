package io.armsr.infer;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.util.Objects;

/**
 * One decoded image upscaled as {@code armsr upscale} does it, for every front end that turns an
 * image file into an image file (the command line, the HTTP service): streamed in bands, so that
 * the networks see the file's full precision (16-bit included) and no float copy of the whole
 * output is held; or progressively (the any-time mode, from the 8-bit view) until a {@link
 * ProgressiveUpscaler.Stop} says so; then brought to the output size asked for.
 *
 * @param output the image to write (gray, alpha, 16 bits and metadata kept as the input had them),
 *     at the output size asked for
 * @param sr the 8-bit x4 SR view (for the routing mask)
 * @param routing how the patches were routed (in the any-time mode: the subnets they reached)
 */
public record ImageUpscale(DecodedImage output, Rgb8Image sr, RoutedPatches routing) {

  public ImageUpscale {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(sr, "sr");
    Objects.requireNonNull(routing, "routing");
  }

  /**
   * Upscales {@code image}.
   *
   * @param anytime null to run {@code mode} to completion (streamed); otherwise the any-time mode,
   *     upgrading patches towards {@code mode} until it says stop (needs the full grid)
   * @param size the output size; {@link OutputSize#X4} for the x4 result itself. The resize needs
   *     the whole x4 image, which the streaming path holds anyway (as bytes), plus double-precision
   *     working copies of about 24 bytes per x4 pixel while it runs.
   */
  public static ImageUpscale of(
      Upscaler upscaler,
      DecodedImage image,
      RoutingMode mode,
      ProgressiveUpscaler.Stop anytime,
      OutputSize size) {
    return of(upscaler, image, mode, anytime, null, size);
  }

  /**
   * {@link #of(Upscaler, DecodedImage, RoutingMode, ProgressiveUpscaler.Stop, OutputSize)}, the
   * any-time mode telling {@code listener} after every batch (e.g. to show the image so far).
   *
   * @param listener null for none; ignored without {@code anytime}
   */
  public static ImageUpscale of(
      Upscaler upscaler,
      DecodedImage image,
      RoutingMode mode,
      ProgressiveUpscaler.Stop anytime,
      ProgressiveUpscaler.Listener listener,
      OutputSize size) {
    if (anytime == null) {
      UpscaledImageBuilder builder =
          new UpscaledImageBuilder(
              image, PatchGrid.of(upscaler.options().grid(), image.width(), image.height()));
      Upscaler.Routed routed =
          upscaler.upscaleStreaming(image.rgb(), image.toPlanar(), mode, builder);
      return new ImageUpscale(sized(builder.build(), size), builder.sr(), routed);
    }
    UpscaleResult r =
        new ProgressiveUpscaler(upscaler).upscale(image.rgb(), mode, anytime, listener);
    Rgb8Image sr = r.image();
    return new ImageUpscale(sized(image.upscaled(r.canvas(), sr, Backbone.SCALE), size), sr, r);
  }

  /** {@code x4} brought to {@code size} ({@link OutputSize#target}); itself for x4. */
  public static DecodedImage sized(DecodedImage x4, OutputSize size) {
    if (size.isX4()) {
      return x4;
    }
    OutputSize.Size t = size.target(x4.width(), x4.height());
    return x4.resized(t.width(), t.height());
  }
}
