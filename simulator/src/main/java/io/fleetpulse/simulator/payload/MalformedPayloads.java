package io.fleetpulse.simulator.payload;

import io.fleetpulse.simulator.signal.Metric;
import java.time.Duration;
import java.util.Arrays;

/**
 * Builds payloads that look like a device's telemetry but must be rejected by the node with a
 * known code ({@link MalformedKind#code()}). Each starts from a valid {@link Reading} and breaks
 * exactly one thing, so the node's first failing check is the intended one.
 */
public final class MalformedPayloads {

  /** A metric no profile declares. */
  public static final String UNKNOWN_METRIC = "flux-capacitance";
  /** The device a mismatching SenML base name claims to be. */
  public static final String FOREIGN_DEVICE = "rm-99999";
  private static final String FALLBACK_FOREIGN_DEVICE = "rm-99998";

  private final PayloadEncoder encoder;
  private final int oversizeBytes;
  private final Duration skewedTimestampAge;

  /**
   * @param oversizeBytes payloads of kind {@link MalformedKind#TOO_LARGE} exceed this size
   * @param skewedTimestampAge how far in the past {@link MalformedKind#TIMESTAMP_SKEW} readings lie
   */
  public MalformedPayloads(PayloadEncoder encoder, int oversizeBytes, Duration skewedTimestampAge) {
    this.encoder = encoder;
    this.oversizeBytes = oversizeBytes;
    this.skewedTimestampAge = skewedTimestampAge;
  }

  /**
   * The payload of the given kind for {@code reading}. {@link MalformedKind#DEVICE_MISMATCH} is
   * always SenML (only SenML names a device inside the payload); other kinds use {@code format}.
   */
  public byte[] build(MalformedKind kind, Reading reading, PayloadFormat format) {
    PayloadEncoder.Distortion none = PayloadEncoder.Distortion.NONE;
    return switch (kind) {
      case BROKEN_JSON -> {
        byte[] valid = encoder.encode(reading, format);
        yield Arrays.copyOf(valid, valid.length / 2);
      }
      case WRONG_TYPE -> encoder.encode(reading, format, new PayloadEncoder.Distortion(0, -1, null, null, 0));
      case NOT_FINITE -> encoder.encode(reading, format, new PayloadEncoder.Distortion(-1, 0, null, null, 0));
      case OUT_OF_RANGE -> {
        Metric metric = reading.profile().metric(0);
        double aboveMax = metric.max() + (metric.max() - metric.min()) / 2;
        yield encoder.encode(reading.withValue(0, aboveMax), format, none);
      }
      case UNKNOWN_METRIC ->
          encoder.encode(reading, format, new PayloadEncoder.Distortion(-1, -1, UNKNOWN_METRIC, null, 0));
      case TIMESTAMP_SKEW ->
          encoder.encode(reading.withTimestamp(reading.timestampMillis() - skewedTimestampAge.toMillis()), format, none);
      case DEVICE_MISMATCH -> {
        String foreign = FOREIGN_DEVICE.equals(reading.deviceId()) ? FALLBACK_FOREIGN_DEVICE : FOREIGN_DEVICE;
        yield encoder.encode(reading, PayloadFormat.SENML, new PayloadEncoder.Distortion(-1, -1, null, foreign, 0));
      }
      case TOO_LARGE ->
          encoder.encode(reading, format, new PayloadEncoder.Distortion(-1, -1, null, null, oversizeBytes));
    };
  }
}
