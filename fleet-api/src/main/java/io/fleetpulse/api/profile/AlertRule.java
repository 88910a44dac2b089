package io.fleetpulse.api.profile;

import io.fleetpulse.api.alert.AlertSeverity;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert rule of a device profile: watch one value (a metric's readings, or one output of a
 * model the profile runs) and raise an alert of {@code type} when it crosses a threshold. Each
 * severity has its own threshold, so an alert escalates and de-escalates while active; it clears
 * only when the value is back past {@code clear} (hysteresis: a value hovering at a threshold
 * does not flap). With {@code minDuration} the condition must hold that long, by the readings'
 * event time, before the alert is raised (a single spike raises nothing).
 *
 * @param source a metric of the profile, or a model the profile runs
 * @param output for a model, the index of the output watched (0 for single-output models)
 * @param raise the threshold of each severity that raises; at least one
 */
public record AlertRule(
    String type, Source source, String name, int output, Direction direction, Map<AlertSeverity, Double> raise,
    double clear, Duration minDuration) {

  public enum Source {
    METRIC,
    MODEL
  }

  /** Which side of the thresholds is the alarming one. */
  public enum Direction {
    ABOVE,
    BELOW;

    /** True when {@code value} is on the alarming side of (or at) {@code threshold}. */
    public boolean crosses(double value, double threshold) {
      return this == ABOVE ? value >= threshold : value <= threshold;
    }
  }

  public AlertRule {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(direction, "direction");
    if (type.isBlank()) {
      throw new IllegalArgumentException("alert rule type must not be blank");
    }
    if (raise.isEmpty()) {
      throw new IllegalArgumentException("alert rule '" + type + "' has no threshold to raise at");
    }
    Map<AlertSeverity, Double> copy = new EnumMap<>(AlertSeverity.class);
    copy.putAll(raise);
    raise = Collections.unmodifiableMap(copy);
    Double previous = null;
    for (Map.Entry<AlertSeverity, Double> threshold : raise.entrySet()) { // most severe first
      if (previous != null && !direction.crosses(previous, threshold.getValue())) {
        throw new IllegalArgumentException("alert rule '" + type + "': the " + threshold.getKey().name().toLowerCase()
            + " threshold " + threshold.getValue() + " must be less extreme than the more severe ones");
      }
      previous = threshold.getValue();
    }
    if (direction.crosses(clear, previous)) {
      throw new IllegalArgumentException("alert rule '" + type + "': the clear threshold " + clear
          + " must lie on the normal side of every raise threshold");
    }
    if (output < 0) {
      throw new IllegalArgumentException("alert rule '" + type + "': output index must not be negative");
    }
    if (minDuration.isNegative()) {
      throw new IllegalArgumentException("alert rule '" + type + "': min-duration must not be negative");
    }
  }

  /** The most severe level {@code value} reaches, or empty when it reaches none. */
  public Optional<AlertSeverity> severityOf(double value) {
    for (Map.Entry<AlertSeverity, Double> threshold : raise.entrySet()) {
      if (direction.crosses(value, threshold.getValue())) {
        return Optional.of(threshold.getKey());
      }
    }
    return Optional.empty();
  }

  /** True when {@code value} is back on the normal side of the clear threshold. */
  public boolean clears(double value) {
    return direction == Direction.ABOVE ? value < clear : value > clear;
  }

  /** What the rule watches, for messages: "bearing-temperature" or "rul-fd001 output 0". */
  public String subject() {
    return source == Source.METRIC ? name : name + " output " + output;
  }
}
