package io.fleetpulse.simulator.signal;

import java.util.List;

/**
 * The two device profiles the node auto-provisions from the device id prefix, with their metrics
 * in the node's feature order. These mirror {@code fleetpulse.profiles} in fleet-api; the
 * simulator only speaks MQTT, so it keeps its own copy of the contract.
 */
public enum Profile {
  ROTATING_MACHINE(
      "rotating-machine",
      "rm",
      List.of(
          new Metric("vibration", "mm/s", 0, 100),
          new Metric("bearing-temperature", "Cel", -40, 200),
          new Metric("motor-current", "A", 0, 500),
          new Metric("pressure", "bar", 0, 400),
          new Metric("speed", "1/min", 0, 20000))),
  ENVIRONMENT_SENSOR(
      "environment-sensor",
      "env",
      List.of(
          new Metric("temperature", "Cel", -40, 85),
          new Metric("humidity", "%RH", 0, 100),
          new Metric("co2", "ppm", 0, 10000),
          new Metric("pm25", "ug/m3", 0, 1000)));

  private final String id;
  private final String devicePrefix;
  private final List<Metric> metrics;

  Profile(String id, String devicePrefix, List<Metric> metrics) {
    this.id = id;
    this.devicePrefix = devicePrefix;
    this.metrics = metrics;
  }

  /** The node's profile name. */
  public String id() {
    return id;
  }

  /** Device ids of this profile look like {@code <prefix>-00042}. */
  public String devicePrefix() {
    return devicePrefix;
  }

  public List<Metric> metrics() {
    return metrics;
  }

  public Metric metric(int index) {
    return metrics.get(index);
  }
}
