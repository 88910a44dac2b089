package io.fleetpulse.evaluation.nab;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;

/**
 * NAB's timestamp text: local date and time without a zone, {@code 2014-02-19 10:50:00} in the
 * data and results files and {@code 2014-02-19 10:50:00.000000} in the label files. Parsing accepts
 * both (any fraction of a second, up to nanoseconds); formatting writes the data files' form, with
 * a fraction only when the time has one, which is what pandas writes for such timestamps.
 */
public final class NabTimestamps {

  private static final DateTimeFormatter PARSER = new DateTimeFormatterBuilder()
      .appendPattern("uuuu-MM-dd HH:mm:ss")
      .optionalStart()
      .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
      .optionalEnd()
      .toFormatter();

  private static final DateTimeFormatter WHOLE_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

  private static final DateTimeFormatter WITH_FRACTION = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");

  private NabTimestamps() {}

  /** The timestamp a NAB text stands for; surrounding spaces are ignored. */
  public static LocalDateTime parse(String text) {
    try {
      return LocalDateTime.parse(text.strip(), PARSER);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a NAB timestamp (yyyy-MM-dd HH:mm:ss[.ffffff]): '" + text + "'", e);
    }
  }

  /** The data files' form of a timestamp: whole seconds, or microseconds when there is a fraction. */
  public static String format(LocalDateTime timestamp) {
    return timestamp.getNano() == 0 ? WHOLE_SECONDS.format(timestamp) : WITH_FRACTION.format(timestamp);
  }
}
