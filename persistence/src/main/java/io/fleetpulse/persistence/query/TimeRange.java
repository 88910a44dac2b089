package io.fleetpulse.persistence.query;

import io.fleetpulse.api.error.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * A half-open time range {@code [from, to)} of a query, validated against the widest span the
 * endpoint allows. Cassandra stores timestamps in milliseconds, so both ends are rounded up to the
 * next millisecond: a stored time {@code t} is in the range exactly when {@code t >= from} and
 * {@code t < to} for the rounded ends as for the exact ones.
 */
public record TimeRange(Instant from, Instant to) {

  public TimeRange {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("from " + from + " is after to " + to);
    }
  }

  /**
   * Parses the {@code from} and {@code to} query parameters (ISO-8601 instants) or refuses them with
   * {@code range.missing}, {@code range.invalid-time}, {@code range.inverted} or
   * {@code range.too-wide}.
   */
  public static TimeRange parse(Optional<String> from, Optional<String> to, Duration maxSpan) {
    Instant start = instant("from", from);
    Instant end = instant("to", to);
    if (start.isAfter(end)) {
      throw QueryRejection.of(ErrorCode.RANGE_INVERTED, "from (" + start + ") is after to (" + end + ")");
    }
    Duration span = Duration.between(start, end);
    if (span.compareTo(maxSpan) > 0) {
      throw QueryRejection.of(ErrorCode.RANGE_TOO_WIDE, "the range spans " + describe(span)
          + "; this endpoint allows at most " + describe(maxSpan) + " per request: split it into several requests");
    }
    return new TimeRange(ceilToMillis(start), ceilToMillis(end));
  }

  public boolean isEmpty() {
    return from.equals(to);
  }

  /** The last instant inside the range; only meaningful when the range is not empty. */
  public Instant lastInstant() {
    return to.minusNanos(1);
  }

  private static Instant instant(String name, Optional<String> text) {
    if (text.isEmpty() || text.get().isBlank()) {
      throw QueryRejection.of(ErrorCode.RANGE_MISSING,
          "the query parameter '" + name + "' is required: an ISO-8601 instant such as 2026-11-29T08:00:00Z");
    }
    // An unencoded '+' of an offset (+01:00) arrives as a space; an instant never contains one.
    String value = text.get().strip().replace(' ', '+');
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw QueryRejection.of(ErrorCode.RANGE_INVALID_TIME, "'" + name + "' is not an ISO-8601 instant such as "
          + "2026-11-29T08:00:00Z (UTC) or 2026-11-29T09:00:00%2B01:00: '" + text.get() + "'");
    }
  }

  private static Instant ceilToMillis(Instant instant) {
    Instant truncated = instant.truncatedTo(ChronoUnit.MILLIS);
    return truncated.equals(instant) ? instant : truncated.plusMillis(1);
  }

  /** A duration as a person writes it in the config: 31d, 48h, 90m, 45s or the ISO form. */
  static String describe(Duration duration) {
    long seconds = duration.getSeconds();
    if (duration.getNano() != 0) {
      return duration.toString();
    }
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
