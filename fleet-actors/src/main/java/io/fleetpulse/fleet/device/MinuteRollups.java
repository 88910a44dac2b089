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
 * minute, every minute before the one preceding it is closed and handed to the consumer. Closed
 * minutes are kept for {@code retainedMinutes} (the longest aggregation window): a reading that
 * comes later for one of them (a broker redelivering after a crash while newer messages were
 * already stored) updates it and hands it over again, so the stored roll-up is rewritten whole.
 * A reading older than that is counted as {@link #lateReadings()} and left out. Memory: at most
 * {@code retainedMinutes + 2} minutes per metric. Not thread-safe: owned by one actor.
 */
final class MinuteRollups {

  private static final long MINUTE = 60_000L;

  private final List<String> metrics;
  private final Consumer<DeviceRecords.MinuteRollup> emit;
  private final long retainedMillis;
  private final TreeMap<Long, Welford[]> open = new TreeMap<>();
  private final TreeMap<Long, Welford[]> closed = new TreeMap<>();
  private long newestMinute = Long.MIN_VALUE;
  private long lateReadings;

  MinuteRollups(List<String> metrics, int retainedMinutes, Consumer<DeviceRecords.MinuteRollup> emit) {
    this.metrics = List.copyOf(metrics);
    this.retainedMillis = retainedMinutes * MINUTE;
    this.emit = emit;
  }

  void add(int metric, long timestampMillis, double value) {
    long minute = Math.floorDiv(timestampMillis, MINUTE) * MINUTE;
    if (newestMinute != Long.MIN_VALUE && minute < newestMinute - MINUTE) {
      if (minute < newestMinute - MINUTE - retainedMillis) {
        lateReadings++;
        return;
      }
      // A closed minute gets a late reading: update it and hand the whole minute over again.
      add(closed.computeIfAbsent(minute, m -> new Welford[metrics.size()]), metric, value);
      emit(minute, closed.get(minute));
      return;
    }
    add(open.computeIfAbsent(minute, m -> new Welford[metrics.size()]), metric, value);
    if (minute > newestMinute) {
      newestMinute = minute;
      while (!open.isEmpty() && open.firstKey() < newestMinute - MINUTE) {
        Map.Entry<Long, Welford[]> done = open.pollFirstEntry();
        emit(done.getKey(), done.getValue());
        closed.put(done.getKey(), done.getValue());
      }
      closed.headMap(newestMinute - MINUTE - retainedMillis).clear();
    }
  }

  private static void add(Welford[] row, int metric, double value) {
    if (row[metric] == null) {
      row[metric] = new Welford();
    }
    row[metric].add(value);
  }

  /** Closes every open minute: the actor is stopping or the device went silent. */
  void closeAll() {
    while (!open.isEmpty()) {
      Map.Entry<Long, Welford[]> done = open.pollFirstEntry();
      emit(done.getKey(), done.getValue());
      closed.put(done.getKey(), done.getValue());
    }
  }

  long lateReadings() {
    return lateReadings;
  }

  int openMinutes() {
    return open.size();
  }

  private void emit(long minute, Welford[] row) {
    List<DeviceRecords.MinuteRollup> rollups = new ArrayList<>(row.length);
    for (int i = 0; i < row.length; i++) {
      Welford w = row[i];
      if (w != null) {
        rollups.add(new DeviceRecords.MinuteRollup(
            metrics.get(i), minute, w.count, w.mean, w.min, w.max, w.count > 1 ? Math.sqrt(w.m2 / (w.count - 1)) : 0.0));
      }
    }
    rollups.forEach(emit);
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
