package io.fleetpulse.fleet.device;

import java.time.Duration;

/**
 * Count, mean, minimum, maximum and standard deviation of one metric over a sliding time window,
 * in bounded memory: the window is cut into {@code buckets} equal slices, each holding a Welford
 * summary (count, mean, sum of squared deviations), merged on read with Chan's parallel formula.
 * Welford rather than sums of squares because sensor values such as pressure in pascal have a
 * large mean and a small spread, where sum-of-squares cancels catastrophically. The window slides
 * by whole slices; readings older than the oldest slice are not counted. Event time: the window
 * ends at the newest reading's timestamp. Not thread-safe: owned by one actor.
 */
public final class WindowedStatistics {

  private final Duration window;
  private final long sliceMillis;
  private final long[] sliceIndex;
  private final long[] count;
  private final double[] mean;
  private final double[] m2;
  private final double[] min;
  private final double[] max;
  private long newestSlice = Long.MIN_VALUE;

  public WindowedStatistics(Duration window, int buckets) {
    if (buckets < 1 || window.toMillis() < buckets) {
      throw new IllegalArgumentException("window " + window + " cannot be cut into " + buckets + " buckets");
    }
    this.window = window;
    this.sliceMillis = window.toMillis() / buckets;
    this.sliceIndex = new long[buckets];
    this.count = new long[buckets];
    this.mean = new double[buckets];
    this.m2 = new double[buckets];
    this.min = new double[buckets];
    this.max = new double[buckets];
    java.util.Arrays.fill(sliceIndex, Long.MIN_VALUE);
  }

  public void add(long timestampMillis, double value) {
    long slice = Math.floorDiv(timestampMillis, sliceMillis);
    if (newestSlice != Long.MIN_VALUE && slice <= newestSlice - sliceIndex.length) {
      return; // older than the window: not part of any statistic we report
    }
    newestSlice = Math.max(newestSlice, slice);
    int i = (int) Math.floorMod(slice, (long) sliceIndex.length);
    if (sliceIndex[i] != slice) {
      sliceIndex[i] = slice;
      count[i] = 0;
      mean[i] = 0;
      m2[i] = 0;
      min[i] = Double.POSITIVE_INFINITY;
      max[i] = Double.NEGATIVE_INFINITY;
    }
    count[i]++;
    double delta = value - mean[i];
    mean[i] += delta / count[i];
    m2[i] += delta * (value - mean[i]);
    min[i] = Math.min(min[i], value);
    max[i] = Math.max(max[i], value);
  }

  /** The statistics of the slices within the window that ends at the newest reading. */
  public Summary summary() {
    long n = 0;
    double runningMean = 0;
    double runningM2 = 0;
    double lowest = Double.POSITIVE_INFINITY;
    double highest = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < sliceIndex.length; i++) {
      if (count[i] == 0 || sliceIndex[i] == Long.MIN_VALUE || sliceIndex[i] <= newestSlice - sliceIndex.length) {
        continue;
      }
      long combined = n + count[i];
      double delta = mean[i] - runningMean;
      runningMean += delta * count[i] / combined;
      runningM2 += m2[i] + delta * delta * ((double) n * count[i] / combined);
      n = combined;
      lowest = Math.min(lowest, min[i]);
      highest = Math.max(highest, max[i]);
    }
    if (n == 0) {
      return new Summary(window, 0, null, null, null, null);
    }
    double stddev = n > 1 ? Math.sqrt(runningM2 / (n - 1)) : 0.0;
    return new Summary(window, n, runningMean, lowest, highest, stddev);
  }

  /** Sample standard deviation (n - 1); null statistics when the window is empty. */
  public record Summary(Duration window, long count, Double mean, Double min, Double max, Double standardDeviation) {}
}
