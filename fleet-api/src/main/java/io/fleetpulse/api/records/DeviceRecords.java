package io.fleetpulse.api.records;

import io.fleetpulse.api.telemetry.DeviceIdentity;
import java.util.List;

/**
 * Where device actors publish what they derive from telemetry for the data teams: the registry
 * entry of each device they serve, per-minute roll-ups and model predictions. Fire and forget:
 * every call returns at once and never blocks the actor; the node writes to Cassandra with a
 * bound on requests in flight and counts what it could not write. Unlike raw telemetry (which is
 * acknowledged only once durable) these records are derived: a roll-up lost in an outage can be
 * recomputed from the stored telemetry.
 */
public interface DeviceRecords {

  /** The actor took this device on (its first message since the actor started). */
  void deviceSeen(DeviceIdentity device, long atMillis);

  /** A minute of one metric closed (or the actor stopped with it open). */
  void rollup(DeviceIdentity device, MinuteRollup rollup);

  /** A model answered for one of the device's windows. */
  void prediction(DeviceIdentity device, PredictionRecord prediction);

  /** Statistics of one metric in one minute; {@code stddev} is the sample standard deviation (0 for one reading). */
  record MinuteRollup(String metric, long minuteMillis, long count, double mean, double min, double max, double stddev) {}

  /** One prediction: the model and version that made it, the message it followed and its outputs. */
  record PredictionRecord(String model, String version, long sequence, long atMillis, List<Float> outputs) {
    public PredictionRecord {
      outputs = List.copyOf(outputs);
    }
  }

  /** Records go nowhere (no storage configured). */
  DeviceRecords NONE = new DeviceRecords() {
    @Override
    public void deviceSeen(DeviceIdentity device, long atMillis) {}

    @Override
    public void rollup(DeviceIdentity device, MinuteRollup rollup) {}

    @Override
    public void prediction(DeviceIdentity device, PredictionRecord prediction) {}
  };
}
