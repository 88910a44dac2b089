package io.fleetpulse.api.telemetry;

import io.fleetpulse.api.CborSerializable;
import java.util.List;
import java.util.Objects;

/**
 * One validated telemetry message, as the gateway hands it to the device's actor. {@code
 * sequence} is the device-local sequence number (or, where the device sends none, its timestamp
 * in milliseconds) used to detect QoS 1 redeliveries. Every sample's metric belongs to the
 * device's profile and every value is finite and in range: validation happened before.
 *
 * <p>{@code deliveryId} names the gateway's handling of one inbound MQTT message: every attempt to
 * deliver it carries the same id, and another message with the same sequence (a redelivery, a
 * device sending twice) carries another. The actor tells a retry whose earlier answer was lost
 * from a duplicate by it. {@link #NO_DELIVERY} (read back from storage, or a caller that does not
 * retry) never matches.
 */
public record Telemetry(
    DeviceIdentity device, long sequence, long timestampMillis, List<Sample> samples, long receivedAtMillis,
    long deliveryId)
    implements CborSerializable {

  /** The delivery id of a message not handed over by a retrying gateway. */
  public static final long NO_DELIVERY = 0L;

  public Telemetry {
    Objects.requireNonNull(device, "device");
    samples = List.copyOf(samples);
  }

  /** A message without a delivery id ({@link #NO_DELIVERY}). */
  public Telemetry(DeviceIdentity device, long sequence, long timestampMillis, List<Sample> samples, long receivedAtMillis) {
    this(device, sequence, timestampMillis, samples, receivedAtMillis, NO_DELIVERY);
  }

  /** This message as handed over by the delivery {@code id}. */
  public Telemetry withDeliveryId(long id) {
    return new Telemetry(device, sequence, timestampMillis, samples, receivedAtMillis, id);
  }

  public String deviceId() {
    return device.deviceId();
  }
}
