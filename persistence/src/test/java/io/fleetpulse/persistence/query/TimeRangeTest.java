package io.fleetpulse.persistence.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TimeRangeTest {

  private static final Duration DAY = Duration.ofDays(1);

  private static QueryRejection refused(String from, String to, Duration max) {
    return catchThrowableOfType(QueryRejection.class,
        () -> TimeRange.parse(Optional.ofNullable(from), Optional.ofNullable(to), max));
  }

  @Test
  void parses_a_half_open_utc_range() {
    TimeRange range = TimeRange.parse(Optional.of("2026-11-29T08:00:00Z"), Optional.of("2026-11-29T09:00:00Z"), DAY);

    assertThat(range.from()).isEqualTo(Instant.parse("2026-11-29T08:00:00Z"));
    assertThat(range.to()).isEqualTo(Instant.parse("2026-11-29T09:00:00Z"));
    assertThat(range.isEmpty()).isFalse();
  }

  @Test
  void accepts_offsets_also_when_the_plus_arrived_as_a_space() {
    TimeRange range = TimeRange.parse(Optional.of("2026-11-29T09:00:00+01:00"), Optional.of("2026-11-29T10:00:00 01:00"), DAY);

    assertThat(range.from()).isEqualTo(Instant.parse("2026-11-29T08:00:00Z"));
    assertThat(range.to()).isEqualTo(Instant.parse("2026-11-29T09:00:00Z"));
  }

  @Test
  void an_empty_range_is_valid() {
    TimeRange range = TimeRange.parse(Optional.of("2026-11-29T08:00:00Z"), Optional.of("2026-11-29T08:00:00Z"), DAY);

    assertThat(range.isEmpty()).isTrue();
  }

  @Test
  void rounds_both_ends_up_to_the_millisecond_cassandra_stores() {
    TimeRange range = TimeRange.parse(
        Optional.of("2026-11-29T08:00:00.000400Z"), Optional.of("2026-11-29T08:00:01.000000001Z"), DAY);

    assertThat(range.from()).isEqualTo(Instant.parse("2026-11-29T08:00:00.001Z"));
    assertThat(range.to()).isEqualTo(Instant.parse("2026-11-29T08:00:01.001Z"));
  }

  @Test
  void refuses_a_missing_end_with_range_missing() {
    assertThat(refused(null, "2026-11-29T09:00:00Z", DAY).code().code()).isEqualTo("range.missing");
    assertThat(refused("2026-11-29T08:00:00Z", null, DAY).code().code()).isEqualTo("range.missing");
    assertThat(refused("2026-11-29T08:00:00Z", "", DAY).code().code()).isEqualTo("range.missing");
  }

  @Test
  void refuses_text_that_is_no_instant_with_range_invalid_time() {
    assertThat(refused("yesterday", "2026-11-29T09:00:00Z", DAY).code().code()).isEqualTo("range.invalid-time");
    assertThat(refused("2026-11-29", "2026-11-30", DAY).code().code()).isEqualTo("range.invalid-time");
    assertThat(refused("2026-11-29T08:00:00Z", "2026-11-29T25:00:00Z", DAY).code().code()).isEqualTo("range.invalid-time");
    assertThat(refused("2026-11-29T08:00:00", "2026-11-29T09:00:00Z", DAY).code().code())
        .as("a local time without zone is ambiguous").isEqualTo("range.invalid-time");
  }

  @Test
  void refuses_from_after_to_with_range_inverted() {
    QueryRejection rejection = refused("2026-11-29T09:00:00Z", "2026-11-29T08:00:00Z", DAY);

    assertThat(rejection.code().code()).isEqualTo("range.inverted");
    assertThat(rejection.code().httpStatus()).isEqualTo(400);
  }

  @Test
  void refuses_a_range_wider_than_the_maximum_and_names_the_maximum() {
    QueryRejection rejection = refused("2026-11-01T00:00:00Z", "2026-11-03T00:00:00.001Z", Duration.ofDays(2));

    assertThat(rejection.code().code()).isEqualTo("range.too-wide");
    assertThat(rejection.getMessage()).contains("at most 2d");
  }

  @Test
  void accepts_a_range_exactly_as_wide_as_the_maximum() {
    TimeRange range = TimeRange.parse(Optional.of("2026-11-01T00:00:00Z"), Optional.of("2026-11-03T00:00:00Z"), Duration.ofDays(2));

    assertThat(Duration.between(range.from(), range.to())).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void describes_durations_as_the_config_writes_them() {
    assertThat(TimeRange.describe(Duration.ofDays(31))).isEqualTo("31d");
    assertThat(TimeRange.describe(Duration.ofHours(36))).isEqualTo("36h");
    assertThat(TimeRange.describe(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(TimeRange.describe(Duration.ofSeconds(45))).isEqualTo("45s");
  }
}
