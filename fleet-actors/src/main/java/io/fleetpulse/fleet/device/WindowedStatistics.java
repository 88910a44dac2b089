package io.fleetpulse.fleet.device;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Count, mean, minimum, maximum and standard deviation of one metric over sliding time windows
 * (one or several lengths), in bounded memory: each window is cut into {@code buckets} equal
 * slices, each holding a {@link Welford} summary, merged on read with Chan's parallel formula. A
 * window slides by whole slices; readings older than its oldest slice are not counted in it.
 * Event time: every window ends at the newest reading's timestamp. Not thread-safe: owned by one
 * actor.
 *
 * <p>Memory: a device keeps one of these per metric, so the slices of all windows share two
 * primitive arrays (36 bytes a slice). A slice's index is not stored: the slot of slice {@code s}
 * is {@code s mod buckets}, and the slots of slices that leave a window are emptied as it
 * advances, so every non-empty slot is within its window. The statistics stay in double
 * precision: the device view reports exact minima and maxima, and means to the last digits.
 */
public final class WindowedStatistics {

  private final List<Duration> windows;
  private final int buckets;
  /** Window w's slot b is at index w * buckets + b; empty slots have count 0. */
  private final int[] counts;
  private final double[] moments;
  /** The newest timestamp added, which ends every window; Long.MIN_VALUE before the first. */
  private long newestMillis = Long.MIN_VALUE;

  /** One window. */
  public WindowedStatistics(Duration window, int buckets) {
    this(List.of(window), buckets);
  }

  /** One window per length, each of {@code buckets} slices; {@link #summaries()} follows their order. */
  public WindowedStatistics(List<Duration> windows, int buckets) {
    for (Duration window : windows) {
      if (buckets < 1 || window.toMillis() < buckets) {
        throw new IllegalArgumentException("window " + window + " cannot be cut into " + buckets + " buckets");
      }
    }
    this.windows = List.copyOf(windows); // the settings' list: shared by every device, not copied
    this.buckets = buckets;
    this.counts = new int[windows.size() * buckets];
    this.moments = new double[windows.size() * buckets * Welford.MOMENTS];
  }

  public void add(long timestampMillis, double value) {
    for (int w = 0; w < windows.size(); w++) {
      add(w, timestampMillis, value);
    }
    newestMillis = Math.max(newestMillis, timestampMillis);
  }

  private void add(int window, long timestampMillis, double value) {
    long sliceMillis = sliceMillis(window);
    long slice = Math.floorDiv(timestampMillis, sliceMillis);
    if (newestMillis != Long.MIN_VALUE) {
      long newest = Math.floorDiv(newestMillis, sliceMillis);
      long ahead = slice - newest;
      if (ahead <= -buckets) {
        return; // older than the window: not part of any statistic we report
      }
      // The window advances: the slots of the slices it leaves are emptied.
      if (ahead >= buckets) {
        Arrays.fill(counts, window * buckets, (window + 1) * buckets, 0);
      } else {
        for (long s = newest + 1; s <= slice; s++) {
          counts[slot(window, s)] = 0;
        }
      }
    }
    Welford.add(counts, moments, slot(window, slice), value);
  }

  private long sliceMillis(int window) {
    return windows.get(window).toMillis() / buckets;
  }

  private int slot(int window, long slice) {
    return window * buckets + (int) Math.floorMod(slice, (long) buckets);
  }

  /** The statistics of the first window, ending at the newest reading. */
  public Summary summary() {
    return summary(0);
  }

  /** The statistics of every window, in the order of their lengths given to the constructor. */
  public List<Summary> summaries() {
    List<Summary> summaries = new ArrayList<>(windows.size());
    for (int w = 0; w < windows.size(); w++) {
      summaries.add(summary(w));
    }
    return summaries;
  }

  private Summary summary(int window) {
    long n = 0;
    double runningMean = 0;
    double runningM2 = 0;
    double lowest = Double.POSITIVE_INFINITY;
    double highest = Double.NEGATIVE_INFINITY;
    for (int i = window * buckets; i < (window + 1) * buckets; i++) {
      int count = counts[i];
      if (count == 0) {
        continue;
      }
      long combined = n + count;
      double delta = Welford.moment(moments, i, Welford.MEAN) - runningMean;
      runningMean += delta * count / combined;
      runningM2 += Welford.moment(moments, i, Welford.M2) + delta * delta * ((double) n * count / combined);
      n = combined;
      lowest = Math.min(lowest, Welford.moment(moments, i, Welford.MIN));
      highest = Math.max(highest, Welford.moment(moments, i, Welford.MAX));
    }
    if (n == 0) {
      return new Summary(windows.get(window), 0, null, null, null, null);
    }
    return new Summary(windows.get(window), n, runningMean, lowest, highest, Welford.standardDeviation(runningM2, n));
  }

  /** Sample standard deviation (n - 1); null statistics when the window is empty. */
  public record Summary(Duration window, long count, Double mean, Double min, Double max, Double standardDeviation) {}
}
