package io.fleetpulse.gateway.validate;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.DecodeException;
import io.fleetpulse.gateway.decode.DecodedTelemetry;
import io.fleetpulse.gateway.decode.PayloadDecoder;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.registry.DeviceRegistration;
import io.fleetpulse.gateway.registry.DeviceRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns an inbound MQTT message into validated {@link Telemetry} or a rejection with a stable
 * code. Checks run cheapest first: topic, registration (so a known device's rejections are
 * counted against it), size, site, decoding, then each reading against
 * the device's profile (metric known, unit, range, clock skew). A device that an
 * auto-provisioning rule admits is provisioned by its first valid message, never by a rejected one. A message is accepted or rejected
 * whole: one bad reading rejects it, so a device never has half a message stored. Thread-safe.
 */
public final class TelemetryValidator {

  private final GatewaySettings.Validation settings;
  private final DeviceRegistry registry;
  private final DeviceProfiles profiles;
  private final PayloadDecoder decoder;

  public TelemetryValidator(GatewaySettings.Validation settings, DeviceRegistry registry, DeviceProfiles profiles) {
    this.settings = settings;
    this.registry = registry;
    this.profiles = profiles;
    this.decoder = new PayloadDecoder(settings.maxReadingsPerMessage());
  }

  public ValidationResult validate(String topicName, byte[] payload, long receivedAtMillis) {
    Optional<TelemetryTopic> parsed = TelemetryTopic.parse(topicName);
    if (parsed.isEmpty()) {
      return new ValidationResult.Invalid(
          Optional.empty(), Optional.empty(), RejectReason.TOPIC_INVALID, "topic '" + topicName + "' is not fleet/{site}/{deviceId}/telemetry");
    }
    TelemetryTopic topic = parsed.get();
    // An unknown device an auto-provisioning rule admits is validated against the profile it would
    // get, and provisioned only once a message of it is valid: junk never registers a device.
    Optional<DeviceRegistration> registration = registry.lookup(topic.deviceId(), topic.site());
    if (registration.isEmpty()) {
      return new ValidationResult.Invalid(
          parsed, Optional.empty(), RejectReason.DEVICE_UNKNOWN, "device '" + topic.deviceId() + "' is not registered");
    }
    DeviceIdentity device = registration.get().identity();
    Optional<DeviceIdentity> known = Optional.of(device);
    if (payload.length > settings.maxPayloadBytes()) {
      return new ValidationResult.Invalid(
          parsed, known, RejectReason.PAYLOAD_TOO_LARGE,
          "payload has " + payload.length + " bytes, at most " + settings.maxPayloadBytes() + " allowed");
    }
    if (!device.site().equals(topic.site())) {
      return new ValidationResult.Invalid(
          parsed, known, RejectReason.DEVICE_MISMATCH,
          "device '" + device.deviceId() + "' is registered at site '" + device.site() + "', not '" + topic.site() + "'");
    }
    DecodedTelemetry decoded;
    try {
      decoded = decoder.decode(payload, receivedAtMillis);
    } catch (DecodeException e) {
      return new ValidationResult.Invalid(parsed, known, e.reason(), e.detail());
    }
    if (decoded.payloadDeviceId().isPresent() && !decoded.payloadDeviceId().get().equals(device.deviceId())) {
      return new ValidationResult.Invalid(
          parsed, known, RejectReason.DEVICE_MISMATCH,
          "payload names device '" + decoded.payloadDeviceId().get() + "' but the topic names '" + device.deviceId() + "'");
    }
    DeviceProfile profile = profiles.get(device.profile());
    List<Sample> samples = new ArrayList<>(decoded.readings().size());
    for (DecodedTelemetry.Reading reading : decoded.readings()) {
      Optional<MetricSpec> metric = profile.metric(reading.metric());
      if (metric.isEmpty()) {
        return invalid(parsed, known, RejectReason.METRIC_UNKNOWN,
            "metric '" + reading.metric() + "' is not part of profile '" + profile.name() + "'");
      }
      MetricSpec spec = metric.get();
      if (reading.unit().isPresent() && !reading.unit().get().equals(spec.unit())) {
        return invalid(parsed, known, RejectReason.UNIT_MISMATCH,
            "metric '" + spec.name() + "' is in '" + spec.unit() + "', the payload says '" + reading.unit().get() + "'");
      }
      if (!spec.accepts(reading.value())) {
        return invalid(parsed, known, RejectReason.VALUE_OUT_OF_RANGE,
            "metric '" + spec.name() + "' = " + reading.value() + " lies outside [" + spec.min() + ", " + spec.max() + "]");
      }
      if (!withinSkew(reading.timestampMillis(), receivedAtMillis)) {
        return invalid(parsed, known, RejectReason.TIMESTAMP_SKEW,
            "timestamp " + Instant.ofEpochMilli(reading.timestampMillis()) + " is outside [now - "
                + settings.maxPastSkew() + ", now + " + settings.maxFutureSkew() + "]");
      }
      samples.add(new Sample(spec.name(), reading.timestampMillis(), reading.value()));
    }
    if (registration.get().autoProvisioned() && registry.find(device.deviceId()).isEmpty()) {
      registry.resolve(device.deviceId(), device.site());
    }
    long sequence = decoded.sequence().orElse(decoded.timestampMillis());
    return new ValidationResult.Valid(
        new Telemetry(device, sequence, decoded.timestampMillis(), samples, receivedAtMillis));
  }

  /**
   * Whether a time lies within the skew window around the receive time. The difference is taken
   * exactly and never negated: a time near {@code Long.MIN_VALUE} makes it wrap, and a difference
   * of {@code Long.MIN_VALUE} negates to itself, a past skew that looked negative and passed.
   */
  private boolean withinSkew(long timestampMillis, long receivedAtMillis) {
    long skew;
    try {
      skew = Math.subtractExact(timestampMillis, receivedAtMillis);
    } catch (ArithmeticException e) {
      return false;
    }
    return skew <= settings.maxFutureSkew().toMillis() && skew >= -settings.maxPastSkew().toMillis();
  }

  private static ValidationResult invalid(
      Optional<TelemetryTopic> topic, Optional<DeviceIdentity> device, RejectReason reason, String detail) {
    return new ValidationResult.Invalid(topic, device, reason, detail);
  }
}
