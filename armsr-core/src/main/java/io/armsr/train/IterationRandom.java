package io.armsr.train;

import java.util.SplittableRandom;

/**
 * The random stream of one training iteration, a pure function of {@code (seed, iteration)}. The
 * width draw, the crop positions and the flips of iteration i all come from it, so resuming at
 * iteration i needs no saved generator state and is exact by construction (ARM.md 2.2 notes the
 * official run was never seeded at all).
 */
final class IterationRandom {
  private IterationRandom() {}

  static SplittableRandom of(long seed, long iteration) {
    return new SplittableRandom(mix(mix(seed) + iteration));
  }

  /** The 64-bit finaliser of MurmurHash3: neighbouring inputs give unrelated outputs. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
