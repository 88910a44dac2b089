package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.records.DeviceRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MinuteRollupsTest {

  private static final long MINUTE = 60_000L;
  private static final long T0 = MINUTE * 28_333_334L;
  private static final int RETAINED_MINUTES = 15;
  private static final List<MetricSpec> METRICS = List.of(
      new MetricSpec("vibration", "mm/s", 0, 100), new MetricSpec("pressure", "Pa", 0, 200_000),
      new MetricSpec("speed", "1/min", 0, 20_000));

  @Test
  void hands_over_each_minute_once_closed_and_again_whole_after_a_late_reading() {
    List<DeviceRecords.MinuteRollup> emitted = new ArrayList<>();
    MinuteRollups rollups = new MinuteRollups(METRICS, RETAINED_MINUTES, emitted::add);

    rollups.add(0, T0 + 1_000, 1.0);
    rollups.add(0, T0 + 59_000, 3.0);
    rollups.add(1, T0 + 61_000, 101_325.5);
    assertThat(emitted).as("the newest minute and the one before stay open").isEmpty();
    assertThat(rollups.openMinutes()).isEqualTo(2);

    rollups.add(0, T0 + 125_000, 20.0);
    assertThat(emitted).containsExactly(new DeviceRecords.MinuteRollup("vibration", T0, 2, 2.0, 1.0, 3.0, Math.sqrt(2.0)));

    rollups.add(0, T0 + 2_000, 5.0); // late, for the closed minute
    assertThat(emitted).last().isEqualTo(new DeviceRecords.MinuteRollup("vibration", T0, 3, 3.0, 1.0, 5.0, 2.0));

    rollups.add(2, T0 - 20 * MINUTE, 7.0); // older than the retained minutes
    assertThat(rollups.lateReadings()).isEqualTo(1);

    rollups.closeAll();
    assertThat(emitted).extracting(DeviceRecords.MinuteRollup::minuteMillis)
        .containsExactly(T0, T0, T0 + MINUTE, T0 + 2 * MINUTE);
    assertThat(emitted.get(2).metric()).isEqualTo("pressure");
    assertThat(rollups.openMinutes()).isZero();
  }

  /**
   * Against a reference that keeps every reading in sorted maps of open and closed minutes (the
   * representation this class had before it was packed into arrays): the same roll-ups, in the
   * same order, over random streams with late readings, readings past the retention, gaps,
   * devices going silent (close all) and minutes opened again after that. Counts, minima and
   * maxima exact; means within a relative 1e-9 of a two-pass computation, deviations within a
   * relative 1e-9 plus 1e-12 of the mean (the rounding of values near the mean, which is most of
   * the deviation of two nearly equal readings).
   */
  @Test
  void hands_over_what_a_reference_keeping_every_reading_hands_over() {
    Random random = new Random(8);
    for (int round = 0; round < 300; round++) {
      List<DeviceRecords.MinuteRollup> emitted = new ArrayList<>();
      MinuteRollups rollups = new MinuteRollups(METRICS, RETAINED_MINUTES, emitted::add);
      Reference reference = new Reference();
      long newest = T0 + random.nextInt(60_000);
      for (int i = 0; i < 300; i++) {
        if (random.nextInt(40) == 0) {
          rollups.closeAll();
          reference.closeAll();
        }
        long at = switch (random.nextInt(12)) {
          case 0 -> newest + MINUTE * random.nextInt(30); // a gap
          case 1, 2 -> newest - random.nextInt(20) * MINUTE - random.nextInt(60_000); // late
          default -> newest + random.nextInt(8_000);
        };
        newest = Math.max(newest, at);
        int metric = random.nextInt(METRICS.size());
        double value = metric == 1 ? 101_325 + random.nextDouble() - 0.5 : random.nextGaussian() * 50;

        rollups.add(metric, at, value);
        reference.add(metric, at, value);

        assertThat(emitted).as("round %d, reading %d", round, i).hasSameSizeAs(reference.emitted);
        assertThat(rollups.lateReadings()).isEqualTo(reference.lateReadings);
        assertThat(rollups.openMinutes()).isEqualTo(reference.open.size());
      }
      rollups.closeAll();
      reference.closeAll();
      assertThat(emitted).hasSameSizeAs(reference.emitted);
      for (int k = 0; k < emitted.size(); k++) {
        DeviceRecords.MinuteRollup actual = emitted.get(k);
        DeviceRecords.MinuteRollup expected = reference.emitted.get(k);
        assertThat(actual.metric()).isEqualTo(expected.metric());
        assertThat(actual.minuteMillis()).isEqualTo(expected.minuteMillis());
        assertThat(actual.count()).isEqualTo(expected.count());
        assertThat(actual.min()).isEqualTo(expected.min());
        assertThat(actual.max()).isEqualTo(expected.max());
        assertThat(Math.abs(actual.mean() - expected.mean())).isLessThanOrEqualTo(1e-9 * Math.abs(expected.mean()));
        assertThat(Math.abs(actual.stddev() - expected.stddev()))
            .isLessThanOrEqualTo(1e-9 * expected.stddev() + 1e-12 * Math.abs(expected.mean()));
      }
    }
  }

  /** Every reading of a minute, by metric; the roll-up computed in two passes when handed over. */
  private static final class Reference {
    final TreeMap<Long, List<List<Double>>> open = new TreeMap<>();
    final TreeMap<Long, List<List<Double>>> closed = new TreeMap<>();
    final List<DeviceRecords.MinuteRollup> emitted = new ArrayList<>();
    long newestMinute = Long.MIN_VALUE;
    long lateReadings;

    void add(int metric, long at, double value) {
      long minute = Math.floorDiv(at, MINUTE) * MINUTE;
      if (newestMinute != Long.MIN_VALUE && minute < newestMinute - MINUTE) {
        if (minute < newestMinute - MINUTE - RETAINED_MINUTES * MINUTE) {
          lateReadings++;
          return;
        }
        closed.computeIfAbsent(minute, m -> empty()).get(metric).add(value);
        emit(minute, closed.get(minute));
        return;
      }
      open.computeIfAbsent(minute, m -> empty()).get(metric).add(value);
      if (minute > newestMinute) {
        newestMinute = minute;
        while (!open.isEmpty() && open.firstKey() < newestMinute - MINUTE) {
          Map.Entry<Long, List<List<Double>>> done = open.pollFirstEntry();
          emit(done.getKey(), done.getValue());
          closed.put(done.getKey(), done.getValue());
        }
        closed.headMap(newestMinute - MINUTE - RETAINED_MINUTES * MINUTE).clear();
      }
    }

    void closeAll() {
      while (!open.isEmpty()) {
        Map.Entry<Long, List<List<Double>>> done = open.pollFirstEntry();
        emit(done.getKey(), done.getValue());
        closed.put(done.getKey(), done.getValue());
      }
    }

    private static List<List<Double>> empty() {
      List<List<Double>> row = new ArrayList<>();
      METRICS.forEach(metric -> row.add(new ArrayList<>()));
      return row;
    }

    private void emit(long minute, List<List<Double>> row) {
      for (int metric = 0; metric < row.size(); metric++) {
        List<Double> values = row.get(metric);
        if (values.isEmpty()) {
          continue;
        }
        double mean = values.stream().mapToDouble(Double::doubleValue).sum() / values.size();
        double squares = values.stream().mapToDouble(value -> (value - mean) * (value - mean)).sum();
        emitted.add(new DeviceRecords.MinuteRollup(METRICS.get(metric).name(), minute, values.size(), mean,
            values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
            values.stream().mapToDouble(Double::doubleValue).max().orElseThrow(),
            values.size() > 1 ? Math.sqrt(squares / (values.size() - 1)) : 0.0));
      }
    }
  }
}
