package io.fleetpulse.gateway.decode;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a property over many generated inputs: the gateway's untrusted-input properties use it.
 * Each run draws a fresh seed unless {@code -Dfleetpulse.property.seed} fixes one, so runs
 * together cover more inputs; a failure names the seed that generates the same inputs again and
 * the input it failed on. {@code -Dfleetpulse.property.tries} overrides every property's tries,
 * for a longer search on a workstation.
 *
 * <p>Not jqwik: from 1.10 on, its maintainers ask that AI coding agents not use it, and an agent
 * wrote these tests. There is no shrinking; generators keep inputs small instead.
 */
public final class PropertyCheck {

  private static final int MAX_REPORTED_CHARS = 2_000;

  private PropertyCheck() {}

  /**
   * Checks {@code property} on {@code tries} inputs from {@code generator}; an exception or
   * assertion error on any input fails with the seed and the input.
   */
  public static <T> void forAll(int tries, Function<SplittableRandom, T> generator, Consumer<T> property) {
    long seed = Long.getLong("fleetpulse.property.seed", new SplittableRandom().nextLong());
    int count = Integer.getInteger("fleetpulse.property.tries", tries);
    SplittableRandom seeds = new SplittableRandom(seed);
    for (int attempt = 0; attempt < count; attempt++) {
      T input = generator.apply(seeds.split());
      try {
        property.accept(input);
      } catch (RuntimeException | Error e) {
        String shown = String.valueOf(input);
        if (shown.length() > MAX_REPORTED_CHARS) {
          shown = shown.substring(0, MAX_REPORTED_CHARS) + "... (" + shown.length() + " chars)";
        }
        throw new AssertionError("falsified on try " + (attempt + 1) + " of " + count
            + ", rerun with -Dfleetpulse.property.seed=" + seed + "\ninput: " + shown, e);
      }
    }
  }
}
