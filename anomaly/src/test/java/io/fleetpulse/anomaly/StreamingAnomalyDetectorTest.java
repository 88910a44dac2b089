package io.fleetpulse.anomaly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamingAnomalyDetectorTest {

  private static final AnomalySettings DEFAULTS = AnomalySettings.fromConfig(ConfigFactory.load());

  /** A daily rhythm with noise, 288 readings a day (five-minute samples), as many plant sensors show. */
  private static double[] rhythm(int length, long seed) {
    Random random = new Random(seed);
    double[] values = new double[length];
    for (int i = 0; i < length; i++) {
      values[i] = 20 + 5 * Math.sin(2 * Math.PI * i / 288.0) + random.nextGaussian() * 0.2;
    }
    return values;
  }

  private static StreamingAnomalyDetector.Score[] scores(AnomalySettings settings, double[] values, int count) {
    StreamingAnomalyDetector detector = new StreamingAnomalyDetector(settings);
    StreamingAnomalyDetector.Score[] scores = new StreamingAnomalyDetector.Score[count];
    for (int i = 0; i < count; i++) {
      scores[i] = detector.score(values[i]);
    }
    return scores;
  }

  @Test
  void defaults_are_read_from_the_reference_configuration() {
    assertThat(DEFAULTS.embeddingLength()).isEqualTo(10);
    assertThat(DEFAULTS.resolutions()).containsExactly(1, 4, 16, 32);
    assertThat(DEFAULTS.history()).isEqualTo(400);
    assertThat(DEFAULTS.neighbours()).isEqualTo(3);
    assertThat(DEFAULTS.minHistory()).isEqualTo(13);
    assertThat(DEFAULTS.calibration()).isEqualTo(2016);
    assertThat(DEFAULTS.warmUp()).isEqualTo(50);
    assertThat(DEFAULTS.restReadings()).isEqualTo(100);
    assertThat(DEFAULTS.rangeTolerance()).isEqualTo(0.05);
  }

  @Test
  void the_same_readings_give_the_same_scores() {
    double[] values = rhythm(3000, 7);
    assertThat(scores(DEFAULTS, values, values.length)).containsExactly(scores(DEFAULTS, values, values.length));
  }

  @Test
  void scores_of_a_prefix_do_not_change_when_more_readings_follow() {
    double[] values = rhythm(3000, 11);
    double[] other = values.clone();
    for (int i = 2000; i < other.length; i++) {
      other[i] = 1000 + i; // a wildly different future
    }
    StreamingAnomalyDetector.Score[] full = scores(DEFAULTS, values, values.length);
    StreamingAnomalyDetector.Score[] diverging = scores(DEFAULTS, other, other.length);
    StreamingAnomalyDetector.Score[] prefix = scores(DEFAULTS, values, 2000);
    for (int i = 0; i < 2000; i++) {
      assertThat(full[i]).isEqualTo(prefix[i]);
      assertThat(diverging[i]).isEqualTo(prefix[i]);
    }
    assertThat(diverging[2000].novelty()).isGreaterThan(0.9);
  }

  @Test
  void every_score_lies_between_zero_and_one() {
    double[] values = rhythm(5000, 3);
    values[4000] = 1e9;
    values[4001] = -1e9;
    for (StreamingAnomalyDetector.Score score : scores(DEFAULTS, values, values.length)) {
      assertThat(score.novelty()).isBetween(0.0, 1.0);
      assertThat(score.anomaly()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void a_spike_in_a_steady_rhythm_is_the_most_anomalous_reading_and_is_reported_once() {
    double[] values = rhythm(4000, 5);
    values[3000] += 15; // three times the rhythm's amplitude
    StreamingAnomalyDetector.Score[] scores = scores(DEFAULTS, values, values.length);
    int top = 0;
    for (int i = 600; i < scores.length; i++) {
      if (scores[i].anomaly() > scores[top].anomaly()) {
        top = i;
      }
    }
    assertThat(top).isEqualTo(3000);
    assertThat(scores[3000].anomaly()).isGreaterThan(0.9);
    // The readings right after it are novel too (the spike is in their subsequences) but not reported.
    for (int i = 3001; i < 3010; i++) {
      assertThat(scores[i].anomaly()).isLessThan(scores[3000].anomaly());
    }
  }

  @Test
  void a_level_shift_is_reported_near_its_start_and_not_for_as_long_as_it_lasts() {
    double[] values = rhythm(6000, 9);
    for (int i = 4000; i < values.length; i++) {
      values[i] += 12;
    }
    StreamingAnomalyDetector.Score[] scores = scores(DEFAULTS, values, values.length);
    assertThat(scores[4000].anomaly()).isGreaterThan(0.9);
    long reportsAfterOneRest = 0;
    for (int i = 4000 + DEFAULTS.restReadings(); i < values.length; i++) {
      if (scores[i].anomaly() > 0.9) {
        reportsAfterOneRest++;
      }
    }
    assertThat(reportsAfterOneRest).isLessThan(20);
  }

  @Test
  void a_reading_beyond_the_range_so_far_by_more_than_the_tolerance_is_novel_by_range_alone() {
    // Only a coarse resolution, which scores nothing in the first 500 readings: what scores is the range channel.
    AnomalySettings rangeOnly = new AnomalySettings(10, java.util.List.of(64), 400, 3, 13, 600, 50, 100, 0.05);
    double[] values = rhythm(500, 13);
    double lowest = Arrays.stream(values).min().orElseThrow();
    double highest = Arrays.stream(values).max().orElseThrow();
    double range = highest - lowest;
    StreamingAnomalyDetector detector = new StreamingAnomalyDetector(rangeOnly);
    for (double value : values) {
      detector.score(value);
    }
    assertThat(detector.score(highest + 0.02 * range).novelty()).isZero(); // within the tolerance
    assertThat(detector.score(lowest - 0.5 * range).anomaly()).isGreaterThan(0.9);
    assertThat(detector.score(values[0]).novelty()).isZero(); // back in range: the novelty falls back at once
  }

  @Test
  void an_early_excursion_that_widens_the_range_does_not_mute_a_later_spike() {
    // Distances are ranked in the signal's own units: a range widened by an early excursion must not
    // make every later distance look small next to the calibration set's earlier ones.
    double[] values = rhythm(2500, 17);
    values[700] += 500;
    values[1500] += 15;
    StreamingAnomalyDetector.Score[] scores = scores(DEFAULTS, values, values.length);
    int top = 1000;
    for (int i = 1000; i < scores.length; i++) {
      if (scores[i].novelty() > scores[top].novelty()) {
        top = i;
      }
    }
    assertThat(top).isBetween(1500, 1509);
    assertThat(scores[1500].anomaly()).isGreaterThan(0.8);
  }

  @Test
  void a_flat_signal_is_never_novel() {
    double[] values = new double[2000];
    java.util.Arrays.fill(values, 42.0);
    for (StreamingAnomalyDetector.Score score : scores(DEFAULTS, values, values.length)) {
      assertThat(score.anomaly()).isEqualTo(0.0);
    }
  }

  @Test
  void rejects_a_reading_that_is_not_a_number() {
    StreamingAnomalyDetector detector = new StreamingAnomalyDetector(DEFAULTS);
    assertThatThrownBy(() -> detector.score(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("finite");
    assertThat(detector.readings()).isZero();
  }

  @Test
  void rejects_settings_that_cannot_work() {
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(1), 2, 3, 3, 600, 50, 100, 0.05))
        .hasMessageContaining("history");
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(0), 400, 3, 13, 600, 50, 100, 0.05))
        .hasMessageContaining("resolutions");
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(1), 400, 3, 13, 600, 700, 100, 0.05))
        .hasMessageContaining("warm-up");
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(1), 400, 3, 13, 600, 50, 100, -0.1))
        .hasMessageContaining("range-tolerance");
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(1), 400, 3, 2, 600, 50, 100, 0.05))
        .hasMessageContaining("min-history");
    assertThatThrownBy(() -> new AnomalySettings(10, java.util.List.of(1), 400, 3, 401, 600, 50, 100, 0.05))
        .hasMessageContaining("min-history");
  }

  @Test
  void an_event_that_grows_after_it_began_is_not_reported_again() {
    double[] values = rhythm(4000, 19);
    values[3000] += 15;
    values[3050] += 200; // far more novel than the reading that began the event, within its rest
    StreamingAnomalyDetector.Score[] scores = scores(DEFAULTS, values, values.length);
    assertThat(scores[3000].anomaly()).isGreaterThan(0.9);
    assertThat(scores[3050].novelty()).isGreaterThan(scores[3000].novelty());
    assertThat(scores[3050].anomaly()).isZero();
  }

  @Test
  void a_day_whose_rhythm_breaks_is_reported_though_every_reading_is_in_range() {
    // Five-minute readings: low at night, high from 09:00 to 18:00; on the tenth day the high never
    // comes. No reading leaves the range and no hour-long stretch is unusual (nights look the same):
    // only a span longer than a night, the coarsest resolution's, sees it.
    Random random = new Random(23);
    double[] values = new double[4032];
    for (int i = 0; i < values.length; i++) {
      int minuteOfDay = (i % 288) * 5;
      boolean high = minuteOfDay >= 9 * 60 && minuteOfDay < 18 * 60 && i / 288 != 9;
      values[i] = (high ? 80 : 20) + random.nextGaussian() * 2;
    }
    StreamingAnomalyDetector.Score[] scores = scores(DEFAULTS, values, values.length);
    int brokenDay = 9 * 288;
    double highest = 0;
    for (int i = brokenDay + 108; i < brokenDay + 288; i++) {
      highest = Math.max(highest, scores[i].anomaly());
    }
    assertThat(highest).isGreaterThan(0.9);
  }
}
