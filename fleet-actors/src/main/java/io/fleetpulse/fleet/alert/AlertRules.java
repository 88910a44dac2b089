package io.fleetpulse.fleet.alert;

import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.profile.AlertRule;
import io.fleetpulse.api.profile.DeviceProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The alert rules of one device's profile, evaluated on each reading and each model answer, by
 * the readings' event time. A rule raises after its condition held for its minimum duration,
 * reports again while it holds (at once when the severity changes, otherwise at most once per
 * {@code updateInterval}, with how many readings met it meanwhile), and resolves when the value
 * is back past its clear threshold. Not thread-safe: owned by one device actor.
 */
public final class AlertRules {

  // Arrays rather than lists: every resident device holds these (see BENCHMARKS.md, heap per device actor).
  private final RuleState[] byMetric;
  private final RuleState[] byModel;
  private final RuleState[] all;
  private final long updateIntervalMillis;

  public AlertRules(DeviceProfile profile, Duration updateInterval) {
    this.updateIntervalMillis = updateInterval.toMillis();
    List<RuleState> states = new ArrayList<>();
    for (AlertRule rule : profile.alertRules()) {
      states.add(new RuleState(rule, rule.source() == AlertRule.Source.METRIC ? profile.indexOf(rule.name()) : -1));
    }
    this.all = states.toArray(new RuleState[0]);
    this.byMetric = states.stream().filter(state -> state.rule.source() == AlertRule.Source.METRIC).toArray(RuleState[]::new);
    this.byModel = states.stream().filter(state -> state.rule.source() != AlertRule.Source.METRIC).toArray(RuleState[]::new);
  }

  /** A reading of the metric at {@code metricIndex} (the profile's order); signals go to {@code out}. */
  public void reading(int metricIndex, double value, long atMillis, List<AlertSignal> out) {
    for (RuleState state : byMetric) {
      if (state.metricIndex == metricIndex) {
        state.evaluate(value, atMillis, out);
      }
    }
  }

  /** A model's outputs for a window ending at {@code atMillis}. */
  public void prediction(String model, float[] outputs, long atMillis, List<AlertSignal> out) {
    for (RuleState state : byModel) {
      if (state.rule.name().equals(model) && state.rule.output() < outputs.length) {
        state.evaluate(outputs[state.rule.output()], atMillis, out);
      }
    }
  }

  /** Whether the rule of {@code type} currently sees its condition (false for unknown types). */
  public boolean holds(String type) {
    return Arrays.stream(all).anyMatch(state -> state.rule.type().equals(type) && state.alarming);
  }

  /**
   * What each rule whose condition holds now would report: after a restart, the actor raises
   * those its stored alerts lack (readings stored but never seen by an actor, such as those that
   * arrived while it was recovering, raise their alert this way).
   */
  public List<AlertSignal.Triggered> holding() {
    List<AlertSignal.Triggered> holding = new ArrayList<>();
    for (RuleState state : all) {
      if (state.alarming) {
        holding.add(state.triggered(state.reported, state.lastValue, state.lastAt, 1));
      }
    }
    return holding;
  }

  /** Whether the rule of {@code type} has seen a value since this device's actor started. */
  public boolean observed(String type) {
    return Arrays.stream(all).anyMatch(state -> state.rule.type().equals(type) && state.observed);
  }

  /** Whether {@code type} is one of these rules' types. */
  public boolean governs(String type) {
    return Arrays.stream(all).anyMatch(state -> state.rule.type().equals(type));
  }

  private final class RuleState {
    final AlertRule rule;
    final int metricIndex;
    boolean alarming;
    boolean observed;
    double lastValue;
    long lastAt;
    long newestAt = Long.MIN_VALUE;
    long pendingUntil = Long.MIN_VALUE;
    long pendingSince = -1;
    AlertSeverity reported;
    long reportedAt;
    long unreported;

    RuleState(AlertRule rule, int metricIndex) {
      this.rule = rule;
      this.metricIndex = metricIndex;
    }

    void evaluate(double value, long atMillis, List<AlertSignal> out) {
      // Readings can arrive out of event order (several gateway connections, redeliveries): the
      // pending streak spans the earliest to the latest reading that met the condition, and a
      // reading older than the newest one seen neither breaks a streak nor clears an alert.
      boolean late = observed && atMillis < newestAt;
      observed = true;
      if (!late) {
        newestAt = atMillis;
        lastValue = value;
        lastAt = atMillis;
      }
      Optional<AlertSeverity> severity = rule.severityOf(value);
      if (!alarming) {
        if (severity.isEmpty()) {
          if (!late || (pendingSince >= 0 && atMillis >= pendingSince)) {
            pendingSince = -1;
          }
          return;
        }
        if (pendingSince < 0 || atMillis < pendingSince) {
          pendingSince = atMillis;
        }
        pendingUntil = Math.max(pendingUntil, atMillis);
        if (pendingUntil - pendingSince < rule.minDuration().toMillis()) {
          return;
        }
        alarming = true;
        pendingUntil = Long.MIN_VALUE;
        report(severity.get(), value, atMillis, 1, out);
        return;
      }
      if (rule.clears(value)) {
        if (late) {
          return;
        }
        alarming = false;
        pendingSince = -1;
        unreported = 0;
        out.add(new AlertSignal.Resolved(rule.type(), value, atMillis, String.format(Locale.ROOT,
            "%s back to %s, past the clear threshold %s", rule.subject(), number(value), number(rule.clear()))));
        return;
      }
      // Between the clear threshold and the lowest raise threshold the alert keeps its severity.
      AlertSeverity now = late ? reported : severity.orElse(reported);
      unreported++;
      if (now != reported || atMillis - reportedAt >= updateIntervalMillis) {
        report(now, value, atMillis, unreported, out);
      }
    }

    private void report(AlertSeverity severity, double value, long atMillis, long occurrences, List<AlertSignal> out) {
      reported = severity;
      reportedAt = atMillis;
      unreported = 0;
      out.add(triggered(severity, value, atMillis, occurrences));
    }

    AlertSignal.Triggered triggered(AlertSeverity severity, double value, long atMillis, long occurrences) {
      return new AlertSignal.Triggered(rule.type(), severity, value, atMillis, occurrences, String.format(Locale.ROOT,
          "%s is %s, %s the %s threshold %s", rule.subject(), number(value),
          rule.direction() == AlertRule.Direction.ABOVE ? "above" : "below",
          severity.name().toLowerCase(Locale.ROOT), number(rule.raise().get(severity))));
    }
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.4g", value);
  }
}
