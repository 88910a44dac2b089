package io.fleetpulse.fleet.device;

import java.time.Duration;
import java.util.List;

/**
 * Everything a device actor keeps about one metric: windowed statistics for each configured
 * window, the latest value and its time, and the rate of change between the two latest readings
 * in time order. A reading older than the latest changes the windows but neither the last value
 * nor the rate. Not thread-safe: owned by one actor.
 */
public final class MetricAggregates {

  private final String metric;
  private final String unit;
  private final WindowedStatistics windows;
  private long lastTimestamp = Long.MIN_VALUE;
  private double lastValue = Double.NaN;
  private double ratePerSecond = Double.NaN;

  public MetricAggregates(String metric, String unit, List<Duration> windowLengths, int buckets) {
    this.metric = metric;
    this.unit = unit;
    this.windows = new WindowedStatistics(windowLengths, buckets);
  }

  public void add(long timestampMillis, double value) {
    windows.add(timestampMillis, value);
    if (timestampMillis > lastTimestamp) {
      if (lastTimestamp != Long.MIN_VALUE) {
        ratePerSecond = (value - lastValue) * 1000.0 / (timestampMillis - lastTimestamp);
      }
      lastTimestamp = timestampMillis;
      lastValue = value;
    }
  }

  public View view() {
    return new View(
        metric, unit,
        lastTimestamp == Long.MIN_VALUE ? null : lastValue,
        lastTimestamp == Long.MIN_VALUE ? null : lastTimestamp,
        Double.isNaN(ratePerSecond) ? null : ratePerSecond,
        List.copyOf(windows.summaries()));
  }

  /**
   * A copy for readers outside the actor.
   *
   * @param last null before the first reading, like {@code lastTimestampMillis}
   * @param ratePerSecond change per second between the two newest readings; null until there are two
   */
  public record View(
      String metric, String unit, Double last, Long lastTimestampMillis, Double ratePerSecond,
      List<WindowedStatistics.Summary> windows) {}
}
