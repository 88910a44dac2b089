package io.fleetpulse.fleet.device;

import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.records.DeviceRecords;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Per-minute statistics of a device's metrics, by event time. A minute stays open while readings
 * for it can still arrive: the newest minute seen and the one before it (devices batch and
 * networks reorder, so a reading a few seconds late is normal). When a reading opens a newer
 * minute, every minute before the one preceding it is closed and handed to the consumer. Closed
 * minutes are kept for {@code retainedMinutes} (the longest aggregation window): a reading that
 * comes later for one of them (a broker redelivering after a crash while newer messages were
 * already stored) updates it and hands it over again, so the stored roll-up is rewritten whole.
 * A reading older than that is counted as {@link #lateReadings()} and left out. Not thread-safe:
 * owned by one actor.
 *
 * <p>Memory: every resident device holds one, so the minutes live in slots of primitive arrays
 * (a {@link Welford} summary per metric, 36 bytes), allocated with the first reading and grown as minutes
 * are kept, to at most {@code retainedMinutes + 4} slots: the closed minutes of the retention
 * span, the two open ones, and two closed by {@link #closeAll()} that readings may open again. A
 * minute closed by {@link #closeAll()} and opened again by a new reading has two slots, closed
 * and open; when the open one closes it replaces the closed one.
 */
final class MinuteRollups {

  private static final long MINUTE = 60_000L;
  private static final long FREE = Long.MIN_VALUE;

  private final List<MetricSpec> metrics;
  private final Consumer<DeviceRecords.MinuteRollup> emit;
  private final long retainedMillis;
  private final int maxSlots;
  /** Each slot's minute, or FREE; null before the first reading, like the arrays below. */
  private long[] minutes;
  private boolean[] open;
  /** Slot s, metric m at s * metrics + m; a metric without readings in the minute has count 0. */
  private int[] counts;
  private double[] moments;
  private long newestMinute = Long.MIN_VALUE;
  private long lateReadings;

  /** {@code metrics}: the profile's, in its order (shared, not copied). */
  MinuteRollups(List<MetricSpec> metrics, int retainedMinutes, Consumer<DeviceRecords.MinuteRollup> emit) {
    this.metrics = List.copyOf(metrics);
    this.retainedMillis = retainedMinutes * MINUTE;
    this.maxSlots = retainedMinutes + 4;
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
      int slot = slot(minute, false);
      Welford.add(counts, moments, slot * metrics.size() + metric, value);
      emit(slot);
      return;
    }
    int slot = slot(minute, true); // first: it allocates the arrays
    Welford.add(counts, moments, slot * metrics.size() + metric, value);
    if (minute > newestMinute) {
      newestMinute = minute;
      close(newestMinute - MINUTE);
      for (int kept = 0; kept < minutes.length; kept++) {
        if (minutes[kept] != FREE && !open[kept] && minutes[kept] < newestMinute - MINUTE - retainedMillis) {
          minutes[kept] = FREE;
        }
      }
    }
  }

  /** Closes every open minute: the actor is stopping or the device went silent. */
  void closeAll() {
    if (minutes != null) {
      close(Long.MAX_VALUE);
    }
  }

  long lateReadings() {
    return lateReadings;
  }

  int openMinutes() {
    int n = 0;
    for (int slot = 0; minutes != null && slot < minutes.length; slot++) {
      if (minutes[slot] != FREE && open[slot]) {
        n++;
      }
    }
    return n;
  }

  /** Closes the open minutes before {@code limit}, oldest first: each is handed over and kept. */
  private void close(long limit) {
    while (true) {
      int oldest = -1;
      for (int slot = 0; slot < minutes.length; slot++) {
        if (minutes[slot] != FREE && open[slot] && minutes[slot] < limit
            && (oldest < 0 || minutes[slot] < minutes[oldest])) {
          oldest = slot;
        }
      }
      if (oldest < 0) {
        return;
      }
      emit(oldest);
      int previous = find(minutes[oldest], false);
      if (previous >= 0) {
        minutes[previous] = FREE;
      }
      open[oldest] = false;
    }
  }

  private int find(long minute, boolean opened) {
    for (int slot = 0; slot < minutes.length; slot++) {
      if (minutes[slot] == minute && open[slot] == opened) {
        return slot;
      }
    }
    return -1;
  }

  private int free() {
    for (int slot = 0; slot < minutes.length; slot++) {
      if (minutes[slot] == FREE) {
        return slot;
      }
    }
    return -1;
  }

  /** The slot of the open or closed {@code minute}, taken empty when there is none. */
  private int slot(long minute, boolean opened) {
    if (minutes == null) {
      minutes = new long[2];
      Arrays.fill(minutes, FREE);
      open = new boolean[2];
      counts = new int[2 * metrics.size()];
      moments = new double[2 * metrics.size() * Welford.MOMENTS];
    }
    int slot = find(minute, opened);
    if (slot >= 0) {
      return slot;
    }
    slot = free();
    if (slot < 0) {
      slot = grow();
    }
    minutes[slot] = minute;
    open[slot] = opened;
    Arrays.fill(counts, slot * metrics.size(), (slot + 1) * metrics.size(), 0);
    return slot;
  }

  /** Makes room for more minutes; returns the first new slot. */
  private int grow() {
    int size = minutes.length;
    int grown = Math.max(size + 1, Math.min(size * 2, maxSlots));
    minutes = Arrays.copyOf(minutes, grown);
    Arrays.fill(minutes, size, grown, FREE);
    open = Arrays.copyOf(open, grown);
    counts = Arrays.copyOf(counts, grown * metrics.size());
    moments = Arrays.copyOf(moments, grown * metrics.size() * Welford.MOMENTS);
    return size;
  }

  private void emit(int slot) {
    for (int metric = 0; metric < metrics.size(); metric++) {
      int i = slot * metrics.size() + metric;
      int count = counts[i];
      if (count > 0) {
        emit.accept(new DeviceRecords.MinuteRollup(metrics.get(metric).name(), minutes[slot], count,
            Welford.moment(moments, i, Welford.MEAN), Welford.moment(moments, i, Welford.MIN),
            Welford.moment(moments, i, Welford.MAX),
            Welford.standardDeviation(Welford.moment(moments, i, Welford.M2), count)));
      }
    }
  }
}
