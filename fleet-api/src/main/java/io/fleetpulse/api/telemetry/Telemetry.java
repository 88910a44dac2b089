package io.fleetpulse.api.telemetry;

import io.fleetpulse.api.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * One validated telemetry message, as the gateway hands it to the device's actor. {@code
 * sequence} is the device-local sequence number (or, where the device sends none, its timestamp
 * in milliseconds) used to detect QoS 1 redeliveries. Every sample's metric belongs to the
 * device's profile and every value is finite and in range: validation happened before.
 */
public record Telemetry(
    DeviceIdentity device, long sequence, long timestampMillis, List<Sample> samples, long receivedAtMillis)
    implements CborSerializable {

  public Telemetry {
    Objects.requireNonNull(device, "device");
    samples = List.copyOf(samples);
  }

  public String deviceId() {
    return device.deviceId();
  }
}
