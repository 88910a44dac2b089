package io.fleetpulse.fleet.device;

/**
 * Welford summaries (count, running mean, sum of squared deviations, minimum, maximum) packed in
 * primitive arrays, for state every resident device holds many of ({@link WindowedStatistics},
 * {@link MinuteRollups}): summary {@code i} has its count at {@code counts[i]} and its moments at
 * {@code moments[i * MOMENTS + MEAN ...]}, 36 bytes where an object per summary took 56 and a
 * pointer. Welford rather than sums of squares because sensor values such as pressure in pascal
 * have a large mean and a small spread, where sum-of-squares cancels catastrophically. A count of
 * 0 marks an empty summary: its moments are stale and reset by the next reading.
 */
final class Welford {

  static final int MOMENTS = 4;
  static final int MEAN = 0;
  static final int M2 = 1;
  static final int MIN = 2;
  static final int MAX = 3;

  private Welford() {}

  static void add(int[] counts, double[] moments, int i, double value) {
    int at = i * MOMENTS;
    if (counts[i] == 0) {
      moments[at + MEAN] = 0;
      moments[at + M2] = 0;
      moments[at + MIN] = Double.POSITIVE_INFINITY;
      moments[at + MAX] = Double.NEGATIVE_INFINITY;
    }
    int count = ++counts[i];
    double delta = value - moments[at + MEAN];
    moments[at + MEAN] += delta / count;
    moments[at + M2] += delta * (value - moments[at + MEAN]);
    moments[at + MIN] = Math.min(moments[at + MIN], value);
    moments[at + MAX] = Math.max(moments[at + MAX], value);
  }

  static double moment(double[] moments, int i, int moment) {
    return moments[i * MOMENTS + moment];
  }

  /** The sample standard deviation (n - 1) of a summary of {@code count} values; 0 for one. */
  static double standardDeviation(double m2, long count) {
    return count > 1 ? Math.sqrt(m2 / (count - 1)) : 0.0;
  }
}
