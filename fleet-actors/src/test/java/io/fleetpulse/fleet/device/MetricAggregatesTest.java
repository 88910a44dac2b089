package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricAggregatesTest {

  private static final List<Duration> WINDOWS = List.of(Duration.ofMinutes(1), Duration.ofMinutes(15));
  private static final long T0 = 1_700_000_000_000L;

  private final MetricAggregates pressure = new MetricAggregates("pressure", "bar", WINDOWS, 6);

  @Test
  void before_any_reading_there_is_no_last_value_no_rate_and_empty_windows() {
    MetricAggregates.View view = pressure.view();

    assertThat(view.metric()).isEqualTo("pressure");
    assertThat(view.unit()).isEqualTo("bar");
    assertThat(view.last()).isNull();
    assertThat(view.lastTimestampMillis()).isNull();
    assertThat(view.ratePerSecond()).isNull();
    assertThat(view.windows()).extracting(WindowedStatistics.Summary::window).containsExactlyElementsOf(WINDOWS);
    assertThat(view.windows()).allSatisfy(summary -> assertThat(summary.count()).isZero());
  }

  @Test
  void one_reading_gives_a_last_value_but_no_rate() {
    pressure.add(T0, 3.5);

    MetricAggregates.View view = pressure.view();

    assertThat(view.last()).isEqualTo(3.5);
    assertThat(view.lastTimestampMillis()).isEqualTo(T0);
    assertThat(view.ratePerSecond()).isNull();
  }

  @Test
  void rate_is_the_change_per_second_between_the_two_newest_readings() {
    pressure.add(T0, 10.0);
    pressure.add(T0 + 2_000, 14.0);

    assertThat(pressure.view().ratePerSecond()).isCloseTo(2.0, within(1e-12));

    pressure.add(T0 + 2_500, 12.5);

    MetricAggregates.View view = pressure.view();
    assertThat(view.last()).isEqualTo(12.5);
    assertThat(view.lastTimestampMillis()).isEqualTo(T0 + 2_500);
    assertThat(view.ratePerSecond()).isCloseTo(-3.0, within(1e-12));
  }

  @Test
  void a_late_reading_is_counted_in_the_windows_but_changes_neither_last_value_nor_rate() {
    pressure.add(T0, 10.0);
    pressure.add(T0 + 4_000, 12.0);

    pressure.add(T0 + 1_000, 100.0); // arrives last, measured between the two

    MetricAggregates.View view = pressure.view();
    assertThat(view.last()).isEqualTo(12.0);
    assertThat(view.lastTimestampMillis()).isEqualTo(T0 + 4_000);
    assertThat(view.ratePerSecond()).isCloseTo(0.5, within(1e-12));
    assertThat(view.windows()).allSatisfy(summary -> {
      assertThat(summary.count()).isEqualTo(3);
      assertThat(summary.max()).isEqualTo(100.0);
    });
  }

  @Test
  void feeds_every_configured_window_which_then_slide_independently() {
    pressure.add(T0, 1.0);
    pressure.add(T0 + Duration.ofMinutes(5).toMillis(), 2.0);

    MetricAggregates.View view = pressure.view();

    assertThat(view.windows().get(0).count()).as("one-minute window").isEqualTo(1);
    assertThat(view.windows().get(1).count()).as("fifteen-minute window").isEqualTo(2);
    assertThat(view.windows().get(1).mean()).isEqualTo(1.5);
  }
}
