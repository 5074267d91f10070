package io.armsr.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How the engine groups the patches of an image into forward passes: the one description that both
 * the engine's run loops ({@code BatchRunner}, {@code Upscaler}) and the time model of {@code
 * --budget-ms} ({@link TimeModel}) use, so the predicted number of batches is the number run.
 *
 * <p>The patches, in row-major order, are cut into consecutive groups of {@code groupSize}; within
 * a group each subnet in turn (bicubic first) runs the group's patches routed to it, in index
 * order, in chunks of at most {@code batchSize}. The whole-image path is one group; the streaming
 * path is one group per grid row (it must finish a row's patches before it can hand rows on).
 *
 * @param groupSize patches per group ({@link Integer#MAX_VALUE}: the whole image is one group)
 * @param batchSize largest number of patches per forward pass
 */
public record Batching(int groupSize, int batchSize) {

  /** The engine's two ways through an image. */
  public enum Path {
    /** {@code Upscaler.upscale}: one group, the whole image ({@code eval}, {@code compare}). */
    WHOLE("whole"),
    /** {@code Upscaler.upscaleStreaming}: one group per grid row (the CLI's {@code upscale}). */
    STREAMING("streaming");

    private final String id;

    Path(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }

    public static Path parse(String id) {
      for (Path p : values()) {
        if (p.id.equals(id)) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown path '" + id + "' (whole, streaming)");
    }
  }

  /**
   * One forward pass.
   *
   * @param group the group it belongs to (the grid row in the streaming path, 0 otherwise)
   * @param subnet the subnet it runs
   * @param images the image of each patch (all 0 for a one-image plan)
   * @param patches the patch indices within their images, ascending within each image
   */
  public record Batch(int group, int subnet, List<Integer> images, List<Integer> patches) {
    public Batch {
      images = List.copyOf(images);
      patches = List.copyOf(patches);
      if (images.size() != patches.size()) {
        throw new IllegalArgumentException(
            images.size() + " image indices for " + patches.size() + " patches");
      }
    }

    /** A batch of one image's patches. */
    public Batch(int group, int subnet, List<Integer> patches) {
      this(group, subnet, java.util.Collections.nCopies(patches.size(), 0), patches);
    }

    public int size() {
      return patches.size();
    }
  }

  /**
   * One image of a plan: its routings and the size of its patches, since only patches of one size
   * can share a forward pass.
   *
   * @param choices {@code [routing][patch]} subnet; every routing covers all of the image's patches
   * @param patchHeight its grid's patch height in LR pixels
   * @param patchWidth its grid's patch width in LR pixels
   */
  public record ImageRoutings(int[][] choices, int patchHeight, int patchWidth) {
    public ImageRoutings {
      Objects.requireNonNull(choices, "choices");
      if (choices.length == 0) {
        throw new IllegalArgumentException("an image to plan needs at least one routing");
      }
    }

    int patches() {
      return choices[0].length;
    }
  }

  public Batching {
    if (groupSize < 1 || batchSize < 1) {
      throw new IllegalArgumentException(
          "group and batch sizes must be positive, got " + groupSize + " and " + batchSize);
    }
  }

  /** The batching of {@code path} over a grid of {@code cols} columns. */
  public static Batching of(Path path, int cols, int batchSize) {
    return new Batching(path == Path.WHOLE ? Integer.MAX_VALUE : cols, batchSize);
  }

  /**
   * The forward passes, in the order the engine runs them, for one or more routings of the same
   * patches: a patch is in the batches of every subnet that any routing chose for it (the whole
   * image path computes each needed (patch, subnet) pair once for all modes).
   *
   * @param patches number of patches
   * @param choices {@code [routing][patch]} subnet
   */
  public List<Batch> plan(int patches, int[][] choices) {
    Objects.requireNonNull(choices, "choices");
    for (int[] c : choices) {
      if (c.length != patches) {
        throw new IllegalArgumentException(
            "a routing of " + c.length + " patches for " + patches + " patches");
      }
    }
    if (patches == 0) {
      return List.of();
    }
    return plan(List.of(new ImageRoutings(choices, 1, 1)));
  }

  /**
   * The one batch planner of the engine: the forward passes of one or more images, in the order
   * they run. The patches are cut into groups of {@code groupSize} (per image; several images are
   * planned on the whole-image path only, as one group); within a group each subnet in turn
   * (bicubic first), and within a subnet each patch size in the order the images first have it,
   * runs the patches that any routing of their image sent there, image by image and in index order,
   * in chunks of at most {@code batchSize}, so one batch may hold patches of several images
   * (folders of small images share their forward passes). For one image this is {@link #plan(int,
   * int[][])}, so the time model counts the batches that run.
   */
  public List<Batch> plan(List<ImageRoutings> images) {
    if (images.size() > 1 && groupSize != Integer.MAX_VALUE) {
      throw new IllegalArgumentException("several images are planned as one group only");
    }
    int subnets = 0;
    int longest = 0;
    for (ImageRoutings image : images) {
      for (int[] c : image.choices()) {
        if (c.length != image.patches()) {
          throw new IllegalArgumentException("the routings of an image differ in length");
        }
        for (int j : c) {
          subnets = Math.max(subnets, j + 1);
        }
      }
      longest = Math.max(longest, image.patches());
    }
    List<Batch> out = new ArrayList<>();
    for (int start = 0, group = 0; start < longest; group++) {
      int end = start + Math.min(longest - start, groupSize);
      for (int subnet = 0; subnet < subnets; subnet++) {
        // Patch size (height, width) to the (image, patch) pairs of that size, in order.
        Map<List<Integer>, List<int[]>> bySize = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
          ImageRoutings image = images.get(i);
          List<int[]> refs =
              bySize.computeIfAbsent(
                  List.of(image.patchHeight(), image.patchWidth()), k -> new ArrayList<>());
          for (int p = start; p < Math.min(end, image.patches()); p++) {
            for (int[] c : image.choices()) {
              if (c[p] == subnet) {
                refs.add(new int[] {i, p});
                break;
              }
            }
          }
        }
        for (List<int[]> refs : bySize.values()) {
          for (int from = 0; from < refs.size(); from += batchSize) {
            int to = Math.min(refs.size(), from + batchSize);
            List<Integer> imageOf = new ArrayList<>(to - from);
            List<Integer> patchOf = new ArrayList<>(to - from);
            for (int[] ref : refs.subList(from, to)) {
              imageOf.add(ref[0]);
              patchOf.add(ref[1]);
            }
            out.add(new Batch(group, subnet, imageOf, patchOf));
          }
        }
      }
      start = end;
    }
    return out;
  }

  /**
   * The number of forward passes of every subnet for one routing, counted from {@link #plan}.
   *
   * @param subnets the subnet of every patch
   * @param subnetCount the length of the result (the number of subnets)
   */
  public int[] batchesPerSubnet(int[] subnets, int subnetCount) {
    int[] out = new int[subnetCount];
    for (Batch b : plan(subnets.length, new int[][] {subnets})) {
      out[b.subnet()]++;
    }
    return out;
  }
}
