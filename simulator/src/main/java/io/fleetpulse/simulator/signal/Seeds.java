package io.fleetpulse.simulator.signal;

/**
 * Derives independent, reproducible seeds from the run seed (SplitMix64 finaliser), so every
 * device, plan block and excursion draws from its own stream and a run is deterministic for a
 * seed regardless of scheduling.
 */
public final class Seeds {

  private Seeds() {}

  public static long mix(long seed, long salt) {
    long z = seed + (salt + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A uniform double in [0, 1) that is a pure function of its inputs. */
  public static double uniform(long seed, long salt, long index) {
    return (mix(mix(seed, salt), index) >>> 11) * 0x1.0p-53;
  }
}
