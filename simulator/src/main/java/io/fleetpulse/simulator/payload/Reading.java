package io.fleetpulse.simulator.payload;

import io.fleetpulse.simulator.signal.Profile;
import java.util.List;

/**
 * One telemetry message before encoding: a device's values, in its profile's metric order, with
 * the device's sequence number and a wall-clock timestamp.
 */
public record Reading(String deviceId, Profile profile, long seq, long timestampMillis, List<Double> values) {

  public Reading {
    values = List.copyOf(values);
    if (values.size() != profile.metrics().size()) {
      throw new IllegalArgumentException(
          "expected " + profile.metrics().size() + " values for " + profile.id() + ", got " + values.size());
    }
  }

  public static Reading of(String deviceId, Profile profile, long seq, long timestampMillis, double[] values) {
    Double[] boxed = new Double[values.length];
    for (int i = 0; i < values.length; i++) {
      boxed[i] = values[i];
    }
    return new Reading(deviceId, profile, seq, timestampMillis, List.of(boxed));
  }

  public Reading withTimestamp(long newTimestampMillis) {
    return new Reading(deviceId, profile, seq, newTimestampMillis, values);
  }

  public Reading withValue(int index, double value) {
    Double[] copy = values.toArray(new Double[0]);
    copy[index] = value;
    return new Reading(deviceId, profile, seq, timestampMillis, List.of(copy));
  }
}
