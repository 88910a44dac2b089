package io.fleetpulse.simulator.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class SignalModelTest {

  /** A Monday, midnight UTC. */
  private static final long START = Instant.parse("2025-06-02T00:00:00Z").toEpochMilli();
  private static final long STEP = Duration.ofMinutes(5).toMillis();
  private static final long ONE_YEAR = Duration.ofDays(365).toMillis();
  private static final FaultSchedule FAULTS = new FaultSchedule(Duration.ofDays(3), Duration.ofHours(8));

  private static SignalModel model(Profile profile, int device, boolean faulty) {
    return SignalModel.create(profile, new DeviceTraits(42, device, faulty, START, FAULTS));
  }

  @Test
  void every_value_stays_within_the_profile_ranges_over_a_simulated_year() {
    for (Profile profile : Profile.values()) {
      for (int device = 0; device < 6; device++) {
        SignalModel signal = model(profile, device, device % 2 == 0);
        for (long t = START; t < START + ONE_YEAR; t += STEP) {
          double[] values = signal.sample(t);
          assertThat(values).hasSize(profile.metrics().size());
          for (int i = 0; i < values.length; i++) {
            Metric metric = profile.metric(i);
            assertThat(metric.contains(values[i]))
                .as("%s %s at %s = %s", profile, metric.name(), Instant.ofEpochMilli(t), values[i])
                .isTrue();
          }
        }
      }
    }
  }

  @Test
  void faulty_machines_stay_well_inside_the_limits_so_clamping_is_rare() {
    // Clamping only guards Gaussian tails: a model that overshot would sit at the maximum here.
    for (int device = 0; device < 20; device++) {
      SignalModel signal = model(Profile.ROTATING_MACHINE, device, true);
      double maxVibration = 0;
      double maxTemperature = -40;
      for (long t = START; t < START + ONE_YEAR; t += STEP) {
        double[] values = signal.sample(t);
        maxVibration = Math.max(maxVibration, values[0]);
        maxTemperature = Math.max(maxTemperature, values[1]);
      }
      assertThat(maxVibration).isLessThan(80);
      assertThat(maxTemperature).isLessThan(180);
    }
  }

  @Test
  void faulty_rotating_machines_show_bearing_faults_that_healthy_ones_do_not() {
    double faultyPeak = peak(model(Profile.ROTATING_MACHINE, 3, true), 0, Duration.ofDays(7));
    double healthyPeak = peak(model(Profile.ROTATING_MACHINE, 3, false), 0, Duration.ofDays(7));
    double faultyTemperaturePeak = peak(model(Profile.ROTATING_MACHINE, 3, true), 1, Duration.ofDays(7));
    double healthyTemperaturePeak = peak(model(Profile.ROTATING_MACHINE, 3, false), 1, Duration.ofDays(7));

    assertThat(faultyPeak).isGreaterThan(healthyPeak + 20);
    assertThat(faultyTemperaturePeak).isGreaterThan(healthyTemperaturePeak + 30);
  }

  @Test
  void vibration_creeps_up_as_the_machine_wears() {
    SignalModel signal = model(Profile.ROTATING_MACHINE, 1, false);
    double firstDay = mean(signal, 0, START, START + Duration.ofDays(1).toMillis());
    double laterDay = mean(signal, 0, START + Duration.ofDays(90).toMillis(), START + Duration.ofDays(91).toMillis());

    assertThat(laterDay).isGreaterThan(firstDay + 3);
  }

  @Test
  void machine_load_follows_the_daily_cycle() {
    SignalModel signal = model(Profile.ROTATING_MACHINE, 2, false);
    double afternoonCurrent = mean(signal, 2, START + hours(13), START + hours(15));
    double nightCurrent = mean(signal, 2, START + hours(1), START + hours(3));

    assertThat(afternoonCurrent).isGreaterThan(nightCurrent * 1.5);
  }

  @Test
  void humidity_moves_against_temperature() {
    SignalModel signal = model(Profile.ENVIRONMENT_SENSOR, 4, false);
    int samples = (int) (Duration.ofDays(14).toMillis() / STEP);
    double[] temperature = new double[samples];
    double[] humidity = new double[samples];
    for (int i = 0; i < samples; i++) {
      double[] values = signal.sample(START + i * STEP);
      temperature[i] = values[0];
      humidity[i] = values[1];
    }

    assertThat(correlation(temperature, humidity)).isLessThan(-0.8);
  }

  @Test
  void co2_follows_weekday_working_hours() {
    SignalModel signal = model(Profile.ENVIRONMENT_SENSOR, 5, false);
    double mondayNoon = mean(signal, 2, START + hours(11), START + hours(13));
    double mondayNight = mean(signal, 2, START + hours(1), START + hours(3));
    double saturdayNoon = mean(signal, 2, START + hours(5 * 24 + 11), START + hours(5 * 24 + 13));

    assertThat(mondayNoon).isGreaterThan(mondayNight + 300);
    assertThat(saturdayNoon).isLessThan(mondayNoon - 300);
  }

  @Test
  void dust_has_occasional_excursions() {
    SignalModel signal = model(Profile.ENVIRONMENT_SENSOR, 6, false);
    int high = 0;
    int total = 0;
    for (long t = START; t < START + Duration.ofDays(60).toMillis(); t += STEP) {
      total++;
      if (signal.sample(t)[3] > 50) {
        high++;
      }
    }

    assertThat(high).isPositive();
    assertThat((double) high / total).isLessThan(0.05);
  }

  @Test
  void the_same_seed_gives_the_same_signal_and_another_seed_does_not() {
    List<double[]> first = run(42);
    List<double[]> again = run(42);
    List<double[]> other = run(43);

    assertThat(again).usingRecursiveComparison().isEqualTo(first);
    assertThat(other.get(10)).isNotEqualTo(first.get(10));
  }

  private static List<double[]> run(long seed) {
    SignalModel signal = SignalModel.create(Profile.ROTATING_MACHINE, new DeviceTraits(seed, 7, true, START, FAULTS));
    return LongStream.range(0, 100).mapToObj(i -> signal.sample(START + i * STEP)).toList();
  }

  private static double peak(SignalModel signal, int metric, Duration period) {
    double peak = Double.NEGATIVE_INFINITY;
    for (long t = START; t < START + period.toMillis(); t += STEP) {
      peak = Math.max(peak, signal.sample(t)[metric]);
    }
    return peak;
  }

  private static double mean(SignalModel signal, int metric, long from, long to) {
    double sum = 0;
    int count = 0;
    for (long t = from; t < to; t += STEP) {
      sum += signal.sample(t)[metric];
      count++;
    }
    return sum / count;
  }

  private static long hours(int hours) {
    return Duration.ofHours(hours).toMillis();
  }

  private static double correlation(double[] x, double[] y) {
    double meanX = Arrays.stream(x).average().orElseThrow();
    double meanY = Arrays.stream(y).average().orElseThrow();
    double covariance = 0;
    double varianceX = 0;
    double varianceY = 0;
    for (int i = 0; i < x.length; i++) {
      covariance += (x[i] - meanX) * (y[i] - meanY);
      varianceX += (x[i] - meanX) * (x[i] - meanX);
      varianceY += (y[i] - meanY) * (y[i] - meanY);
    }
    return covariance / Math.sqrt(varianceX * varianceY);
  }
}
