package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowedStatisticsTest {

  private static final Duration MINUTE = Duration.ofMinutes(1);
  /** One minute in six slices of ten seconds. */
  private static final int BUCKETS = 6;
  /** A slice boundary, so that [T0, T0 + 1 min) is exactly six whole slices. */
  private static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % 10_000;

  @Test
  void an_empty_window_has_count_zero_and_no_statistics() {
    WindowedStatistics.Summary summary = new WindowedStatistics(MINUTE, BUCKETS).summary();

    assertThat(summary.window()).isEqualTo(MINUTE);
    assertThat(summary.count()).isZero();
    assertThat(summary.mean()).isNull();
    assertThat(summary.min()).isNull();
    assertThat(summary.max()).isNull();
    assertThat(summary.standardDeviation()).isNull();
  }

  @Test
  void a_single_reading_has_zero_deviation() {
    WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
    statistics.add(T0, 4.5);

    WindowedStatistics.Summary summary = statistics.summary();

    assertThat(summary.count()).isEqualTo(1);
    assertThat(summary.mean()).isEqualTo(4.5);
    assertThat(summary.min()).isEqualTo(4.5);
    assertThat(summary.max()).isEqualTo(4.5);
    assertThat(summary.standardDeviation()).isEqualTo(0.0);
  }

  @Test
  void matches_a_brute_force_computation_over_random_readings_inside_one_window() {
    Random random = new Random(7);
    for (int round = 0; round < 20; round++) {
      WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
      List<Double> values = new ArrayList<>();
      int n = 2 + random.nextInt(500);
      for (int i = 0; i < n; i++) {
        double value = random.nextGaussian() * 30 + 50;
        statistics.add(T0 + random.nextInt(60_000), value); // any order, every slice of the window
        values.add(value);
      }

      WindowedStatistics.Summary summary = statistics.summary();

      Reference expected = Reference.of(values);
      assertThat(summary.count()).isEqualTo(n);
      assertThat(summary.mean()).isCloseTo(expected.mean, within(1e-9));
      assertThat(summary.min()).isEqualTo(expected.min);
      assertThat(summary.max()).isEqualTo(expected.max);
      assertThat(summary.standardDeviation()).isCloseTo(expected.sampleStandardDeviation, within(1e-9));
    }
  }

  @Test
  void readings_older_than_the_window_drop_out_as_newer_readings_advance_it() {
    WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
    for (int second = 0; second < 60; second++) {
      statistics.add(T0 + second * 1000L, second);
    }
    assertThat(statistics.summary().count()).isEqualTo(60);
    assertThat(statistics.summary().min()).isEqualTo(0.0);

    statistics.add(T0 + 65_000, 65); // a seventh slice: the first one (seconds 0..9) leaves the window

    WindowedStatistics.Summary slid = statistics.summary();
    assertThat(slid.count()).isEqualTo(51);
    assertThat(slid.min()).isEqualTo(10.0);
    assertThat(slid.max()).isEqualTo(65.0);
    List<Double> remaining = new ArrayList<>();
    for (int second = 10; second < 60; second++) {
      remaining.add((double) second);
    }
    remaining.add(65.0);
    assertThat(slid.mean()).isCloseTo(Reference.of(remaining).mean, within(1e-9));
    assertThat(slid.standardDeviation()).isCloseTo(Reference.of(remaining).sampleStandardDeviation, within(1e-9));

    statistics.add(T0 + 185_000, 185); // two windows later: nothing before it is left

    WindowedStatistics.Summary alone = statistics.summary();
    assertThat(alone.count()).isEqualTo(1);
    assertThat(alone.mean()).isEqualTo(185.0);
    assertThat(alone.min()).isEqualTo(185.0);
  }

  @Test
  void a_late_reading_inside_the_window_is_counted_and_one_older_than_the_window_is_ignored() {
    WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
    statistics.add(T0 + 65_000, 10); // window: slices of [T0 + 10 s, T0 + 70 s)

    statistics.add(T0 + 15_000, 2); // late but inside the oldest slice of the window

    assertThat(statistics.summary().count()).isEqualTo(2);
    assertThat(statistics.summary().min()).isEqualTo(2.0);
    assertThat(statistics.summary().mean()).isEqualTo(6.0);

    statistics.add(T0 + 9_999, -1000); // one slice too old

    WindowedStatistics.Summary summary = statistics.summary();
    assertThat(summary.count()).isEqualTo(2);
    assertThat(summary.min()).isEqualTo(2.0);
    assertThat(summary.mean()).isEqualTo(6.0);
  }

  @Test
  void a_late_reading_does_not_move_the_window() {
    WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
    statistics.add(T0 + 55_000, 1);
    statistics.add(T0 + 5_000, 3); // late, oldest slice

    statistics.add(T0 + 25_000, 5); // later still, but newer than the oldest slice

    assertThat(statistics.summary().count()).isEqualTo(3);
    assertThat(statistics.summary().max()).isEqualTo(5.0);
    assertThat(statistics.summary().min()).isEqualTo(1.0);
  }

  @Test
  void stays_accurate_for_a_large_mean_with_a_tiny_spread() {
    Random random = new Random(101_325);
    WindowedStatistics statistics = new WindowedStatistics(MINUTE, BUCKETS);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      double value = 101_325.0 + (random.nextDouble() * 2 - 1) * 0.01; // pascal, ± 0.01
      statistics.add(T0 + i * 20L, value); // spread over all six slices, so slices are merged
      values.add(value);
    }

    WindowedStatistics.Summary summary = statistics.summary();

    Reference twoPass = Reference.of(values);
    assertThat(twoPass.sampleStandardDeviation).isBetween(0.005, 0.007); // about 0.02 / sqrt(12)
    assertThat(summary.count()).isEqualTo(3000);
    assertThat(relativeError(summary.standardDeviation(), twoPass.sampleStandardDeviation)).isLessThan(1e-6);
    assertThat(summary.mean()).isCloseTo(twoPass.mean, within(1e-9));
    // The data is hard: the textbook sum-of-squares formula is off by far more than the tolerance.
    assertThat(relativeError(sumOfSquaresStandardDeviation(values), twoPass.sampleStandardDeviation))
        .isGreaterThan(1e-4);
  }

  /**
   * Several windows in one instance, against a brute-force reference that keeps every reading: a
   * reading counts when its slice is one of the window's last {@code BUCKETS} before the newest
   * reading's slice. The stream has gaps longer than both windows, late readings inside and
   * outside them, and values in very different regimes (pressure in pascal, 101325 +- 0.5,
   * among them). Count, minimum and maximum must be exact; the mean within a relative 1e-9 and the
   * standard deviation within a relative 1e-9 plus 1e-12 of the mean: double rounding of values
   * near the mean costs about 1e-16 of the mean whatever the spread, which for two nearly equal
   * readings is most of a tiny deviation. A float slice mean (1e-7 of the mean) or a sum of
   * squares (see above) would fail it; pressure's deviation (0.29 Pa) is allowed 3e-10 Pa.
   */
  @Test
  void several_windows_match_a_reference_over_random_streams_with_gaps_and_late_readings() {
    List<Duration> lengths = List.of(MINUTE, Duration.ofMinutes(15));
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      WindowedStatistics statistics = new WindowedStatistics(lengths, BUCKETS);
      List<Long> times = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      long newest = T0 + random.nextInt(3_600_000);
      long newestReading = Long.MIN_VALUE; // ends the windows
      double center = switch (round % 4) {
        case 0 -> 101_325.0; // pascal
        case 1 -> 0.0;
        case 2 -> -40.0;
        default -> 1e7;
      };
      double spread = round % 4 == 0 ? 0.5 : 1 + random.nextDouble() * 100;
      int n = 1 + random.nextInt(400);
      for (int i = 0; i < n; i++) {
        long at;
        int kind = random.nextInt(20);
        if (kind == 0) {
          at = newest + 60_000L * (1 + random.nextInt(40)); // a gap: up to 40 minutes of silence
        } else if (kind < 4) {
          at = newest - random.nextInt(20 * 60_000); // late: inside one window, both or neither
        } else {
          at = newest + random.nextInt(5_000);
        }
        newest = Math.max(newest, at);
        newestReading = Math.max(newestReading, at);
        double value = center + (random.nextDouble() * 2 - 1) * spread;
        statistics.add(at, value);
        times.add(at);
        values.add(value);

        if (random.nextInt(10) == 0 || i == n - 1) {
          List<WindowedStatistics.Summary> summaries = statistics.summaries();
          for (int w = 0; w < lengths.size(); w++) {
            long sliceMillis = lengths.get(w).toMillis() / BUCKETS;
            long newestSlice = Math.floorDiv(newestReading, sliceMillis);
            List<Double> inWindow = new ArrayList<>();
            for (int k = 0; k < values.size(); k++) {
              if (Math.floorDiv(times.get(k), sliceMillis) > newestSlice - BUCKETS) {
                inWindow.add(values.get(k));
              }
            }
            WindowedStatistics.Summary summary = summaries.get(w);
            assertThat(summary.window()).isEqualTo(lengths.get(w));
            assertThat(summary.count()).as("round %d, window %s", round, lengths.get(w)).isEqualTo(inWindow.size());
            if (inWindow.isEmpty()) {
              assertThat(summary.mean()).isNull();
              continue;
            }
            Reference expected = Reference.of(inWindow);
            assertThat(summary.min()).isEqualTo(expected.min);
            assertThat(summary.max()).isEqualTo(expected.max);
            assertThat(relativeError(summary.mean(), expected.mean)).isLessThan(1e-9);
            if (inWindow.size() == 1) {
              assertThat(summary.standardDeviation()).isEqualTo(0.0);
            } else {
              assertThat(Math.abs(summary.standardDeviation() - expected.sampleStandardDeviation))
                  .as("round %d, window %s, %d readings", round, lengths.get(w), inWindow.size())
                  .isLessThanOrEqualTo(1e-9 * expected.sampleStandardDeviation + 1e-12 * Math.abs(expected.mean));
            }
          }
        }
      }
    }
  }

  @Test
  void windows_sharing_an_instance_report_what_separate_instances_report() {
    Random random = new Random(3);
    List<Duration> lengths = List.of(MINUTE, Duration.ofMinutes(15), Duration.ofSeconds(30));
    WindowedStatistics together = new WindowedStatistics(lengths, BUCKETS);
    List<WindowedStatistics> apart = lengths.stream().map(length -> new WindowedStatistics(length, BUCKETS)).toList();
    long at = T0;
    for (int i = 0; i < 5_000; i++) {
      at += random.nextInt(4_000) - 500; // mostly forward, sometimes back
      double value = random.nextGaussian() * 10;
      long now = at;
      together.add(now, value);
      apart.forEach(single -> single.add(now, value));
      if (i % 97 == 0) {
        assertThat(together.summaries()).containsExactlyElementsOf(apart.stream().map(WindowedStatistics::summary).toList());
      }
    }
  }

  @Test
  void rejects_a_window_that_cannot_be_cut_into_the_buckets() {
    assertThatThrownBy(() -> new WindowedStatistics(MINUTE, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new WindowedStatistics(Duration.ofMillis(5), 6))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static double relativeError(double actual, double expected) {
    return Math.abs(actual - expected) / Math.abs(expected);
  }

  private static double sumOfSquaresStandardDeviation(List<Double> values) {
    double sum = 0;
    double sumOfSquares = 0;
    for (double value : values) {
      sum += value;
      sumOfSquares += value * value;
    }
    int n = values.size();
    return Math.sqrt(Math.max(0, (sumOfSquares - sum * sum / n) / (n - 1)));
  }

  /** Textbook two-pass statistics: the mean first, then squared deviations from it. */
  private record Reference(double mean, double min, double max, double sampleStandardDeviation) {
    static Reference of(List<Double> values) {
      double sum = 0;
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      for (double value : values) {
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      double mean = sum / values.size();
      double squares = 0;
      for (double value : values) {
        squares += (value - mean) * (value - mean);
      }
      return new Reference(mean, min, max, Math.sqrt(squares / (values.size() - 1)));
    }
  }
}
