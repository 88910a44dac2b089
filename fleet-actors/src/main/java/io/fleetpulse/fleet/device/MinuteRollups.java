package io.fleetpulse.fleet.device;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Per-minute statistics of a device's metrics, by event time. A minute stays open while readings
 * for it can still arrive: the newest minute seen and the one before it (devices batch and
 * networks reorder, so a reading a few seconds late is normal). When a reading opens a newer
 * minute, every minute before the one preceding it is closed and handed to the consumer. A
 * reading for a minute already closed is too late for the roll-ups: it still counts in the live
 * windows, is counted here as {@link #lateReadings()}, and the stored roll-up is not rewritten
 * with a partial minute. Memory: at most two open minutes per metric. Not thread-safe: owned by
 * one actor.
 */
final class MinuteRollups {

  private static final long MINUTE = 60_000L;

  private final List<String> metrics;
  private final Consumer<DeviceRecords.MinuteRollup> closed;
  private final TreeMap<Long, Welford[]> open = new TreeMap<>();
  private long newestMinute = Long.MIN_VALUE;
  private long lateReadings;

  MinuteRollups(List<String> metrics, Consumer<DeviceRecords.MinuteRollup> closed) {
    this.metrics = List.copyOf(metrics);
    this.closed = closed;
  }

  void add(int metric, long timestampMillis, double value) {
    long minute = Math.floorDiv(timestampMillis, MINUTE) * MINUTE;
    if (newestMinute != Long.MIN_VALUE && minute < newestMinute - MINUTE) {
      lateReadings++;
      return;
    }
    open.computeIfAbsent(minute, m -> new Welford[metrics.size()]);
    Welford[] row = open.get(minute);
    if (row[metric] == null) {
      row[metric] = new Welford();
    }
    row[metric].add(value);
    if (minute > newestMinute) {
      newestMinute = minute;
      while (!open.isEmpty() && open.firstKey() < newestMinute - MINUTE) {
        emit(open.pollFirstEntry());
      }
    }
  }

  /** Closes every open minute: the actor is stopping or the device went silent. */
  void closeAll() {
    while (!open.isEmpty()) {
      emit(open.pollFirstEntry());
    }
  }

  long lateReadings() {
    return lateReadings;
  }

  int openMinutes() {
    return open.size();
  }

  private void emit(Map.Entry<Long, Welford[]> minute) {
    Welford[] row = minute.getValue();
    List<DeviceRecords.MinuteRollup> rollups = new ArrayList<>(row.length);
    for (int i = 0; i < row.length; i++) {
      Welford w = row[i];
      if (w != null) {
        rollups.add(new DeviceRecords.MinuteRollup(
            metrics.get(i), minute.getKey(), w.count, w.mean, w.min, w.max, w.count > 1 ? Math.sqrt(w.m2 / (w.count - 1)) : 0.0));
      }
    }
    rollups.forEach(closed);
  }

  /** Welford's running mean and squared deviations: stable for large means with small spreads. */
  private static final class Welford {
    long count;
    double mean;
    double m2;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;

    void add(double value) {
      count++;
      double delta = value - mean;
      mean += delta / count;
      m2 += delta * (value - mean);
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
  }
}
