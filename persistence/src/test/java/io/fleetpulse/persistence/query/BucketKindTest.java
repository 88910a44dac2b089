package io.fleetpulse.persistence.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BucketKindTest {

  private static TimeRange range(String from, String to) {
    return new TimeRange(Instant.parse(from), Instant.parse(to));
  }

  private static List<Object> buckets(BucketKind kind, TimeRange range) {
    List<Object> buckets = new ArrayList<>();
    for (int i = 0; i < kind.count(range); i++) {
      buckets.add(kind.bucket(range, i));
    }
    return buckets;
  }

  @Test
  void an_hour_across_midnight_reads_two_days() {
    assertThat(buckets(BucketKind.DAY, range("2026-11-29T23:30:00Z", "2026-11-30T00:30:00Z")))
        .containsExactly(LocalDate.parse("2026-11-29"), LocalDate.parse("2026-11-30"));
  }

  @Test
  void a_range_ending_at_midnight_does_not_read_the_next_day() {
    assertThat(buckets(BucketKind.DAY, range("2026-11-29T00:00:00Z", "2026-11-30T00:00:00Z")))
        .containsExactly(LocalDate.parse("2026-11-29"));
  }

  @Test
  void hours_are_truncated_timestamps_across_midnight() {
    assertThat(buckets(BucketKind.HOUR, range("2026-11-29T22:59:59Z", "2026-11-30T00:00:00.001Z")))
        .containsExactly(Instant.parse("2026-11-29T22:00:00Z"), Instant.parse("2026-11-29T23:00:00Z"),
            Instant.parse("2026-11-30T00:00:00Z"));
  }

  @Test
  void months_are_year_month_text_across_new_year() {
    assertThat(buckets(BucketKind.MONTH, range("2026-11-30T12:00:00Z", "2027-01-01T00:00:01Z")))
        .containsExactly("2026-11", "2026-12", "2027-01");
  }

  @Test
  void a_leap_day_is_a_day_of_its_own() {
    assertThat(buckets(BucketKind.DAY, range("2028-02-28T12:00:00Z", "2028-03-01T12:00:00Z")))
        .containsExactly(LocalDate.parse("2028-02-28"), LocalDate.parse("2028-02-29"), LocalDate.parse("2028-03-01"));
  }

  @Test
  void times_before_1970_fall_into_their_own_bucket() {
    assertThat(buckets(BucketKind.HOUR, range("1969-12-31T23:10:00Z", "1969-12-31T23:20:00Z")))
        .containsExactly(Instant.parse("1969-12-31T23:00:00Z"));
    assertThat(buckets(BucketKind.DAY, range("1969-12-31T23:10:00Z", "1969-12-31T23:20:00Z")))
        .containsExactly(LocalDate.parse("1969-12-31"));
  }

  @Test
  void an_empty_range_has_no_buckets() {
    TimeRange empty = range("2026-11-29T08:00:00Z", "2026-11-29T08:00:00Z");

    for (BucketKind kind : BucketKind.values()) {
      assertThat(kind.count(empty)).as(kind.name()).isZero();
    }
  }

  @Test
  void refuses_a_bucket_outside_the_range() {
    TimeRange day = range("2026-11-29T08:00:00Z", "2026-11-29T09:00:00Z");

    assertThatThrownBy(() -> BucketKind.DAY.bucket(day, 1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
