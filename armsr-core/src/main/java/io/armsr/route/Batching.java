package io.armsr.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How the engine groups the patches of an image into forward passes: the one description that both
 * the engine's run loops ({@code Upscaler}) and the time model of {@code --budget-ms} ({@link
 * TimeModel}) use, so the predicted number of batches is the number run.
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
   * @param patches the patch indices, ascending
   */
  public record Batch(int group, int subnet, List<Integer> patches) {
    public Batch {
      patches = List.copyOf(patches);
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
    int subnets = 0;
    for (int[] c : choices) {
      if (c.length != patches) {
        throw new IllegalArgumentException(
            "a routing of " + c.length + " patches for " + patches + " patches");
      }
      for (int s : c) {
        subnets = Math.max(subnets, s + 1);
      }
    }
    List<Batch> out = new ArrayList<>();
    for (int start = 0, group = 0; start < patches; group++) {
      int end = start + Math.min(patches - start, groupSize);
      for (int subnet = 0; subnet < subnets; subnet++) {
        List<Integer> needed = new ArrayList<>();
        for (int p = start; p < end; p++) {
          for (int[] c : choices) {
            if (c[p] == subnet) {
              needed.add(p);
              break;
            }
          }
        }
        for (int from = 0; from < needed.size(); from += batchSize) {
          int to = Math.min(needed.size(), from + batchSize);
          out.add(new Batch(group, subnet, needed.subList(from, to)));
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
