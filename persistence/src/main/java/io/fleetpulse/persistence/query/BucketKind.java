package io.fleetpulse.persistence.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The time bucket of a table's partition key (UTC): the day of a {@code date} column, the hour of a
 * {@code timestamp} column truncated to the hour, or the month as {@code text 'YYYY-MM'}. A range
 * is read one bucket after the other, so a query never spans partitions.
 */
public enum BucketKind {
  /** {@code day date}: the UTC date of the row's time. */
  DAY {
    @Override
    long ordinal(Instant instant) {
      return Math.floorDiv(instant.getEpochSecond(), SECONDS_PER_DAY);
    }

    @Override
    Object value(long ordinal) {
      return LocalDate.ofEpochDay(ordinal);
    }
  },
  /** {@code hour timestamp}: the row's time truncated to the hour. */
  HOUR {
    @Override
    long ordinal(Instant instant) {
      return Math.floorDiv(instant.getEpochSecond(), SECONDS_PER_HOUR);
    }

    @Override
    Object value(long ordinal) {
      return Instant.ofEpochSecond(ordinal * SECONDS_PER_HOUR);
    }
  },
  /** {@code month text}: the UTC year and month of the row's time, {@code 'YYYY-MM'}. */
  MONTH {
    @Override
    long ordinal(Instant instant) {
      LocalDate date = instant.atOffset(ZoneOffset.UTC).toLocalDate();
      return date.getYear() * 12L + date.getMonthValue() - 1;
    }

    @Override
    Object value(long ordinal) {
      return YearMonth.of(Math.toIntExact(Math.floorDiv(ordinal, 12)), (int) Math.floorMod(ordinal, 12) + 1).toString();
    }
  };

  private static final long SECONDS_PER_DAY = 86_400;
  private static final long SECONDS_PER_HOUR = 3_600;

  /** The bucket holding {@code instant}, numbered so consecutive buckets differ by one. */
  abstract long ordinal(Instant instant);

  /** The partition-key value of a bucket, typed for the driver (LocalDate, Instant or String). */
  abstract Object value(long ordinal);

  /** How many buckets {@code [from, to)} touches; 0 for an empty range. */
  public int count(TimeRange range) {
    if (range.isEmpty()) {
      return 0;
    }
    return Math.toIntExact(ordinal(range.lastInstant()) - ordinal(range.from()) + 1);
  }

  /** The partition-key value of the {@code index}-th bucket of the range, the first being 0. */
  public Object bucket(TimeRange range, int index) {
    if (index < 0 || index >= count(range)) {
      throw new IndexOutOfBoundsException("bucket " + index + " of " + count(range));
    }
    return value(ordinal(range.from()) + index);
  }
}
