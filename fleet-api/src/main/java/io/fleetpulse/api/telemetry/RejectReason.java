package io.fleetpulse.api.telemetry;

/**
 * Why a telemetry message was refused. {@link #code()} is stable and visible outside the system
 * (dead-letter payloads, HTTP counters); the sentence explains it to a person.
 */
public enum RejectReason {
  TOPIC_INVALID("topic.invalid", "the topic is not fleet/{site}/{deviceId}/telemetry"),
  PAYLOAD_TOO_LARGE("payload.too-large", "the payload exceeds the configured maximum size"),
  PAYLOAD_MALFORMED("payload.malformed", "the payload is not valid SenML or compact JSON"),
  WRONG_TYPE("payload.wrong-type", "a field has the wrong JSON type"),
  NOT_FINITE("value.not-finite", "a value is NaN or infinite"),
  SEQUENCE_MISSING("sequence.missing", "the message carries neither a sequence number nor a timestamp"),
  SEQUENCE_TOO_OLD("sequence.too-old", "the sequence number is older than the duplicate-detection window"),
  DEVICE_UNKNOWN("device.unknown", "the device is not registered"),
  DEVICE_MISMATCH("device.mismatch", "the payload or registration names another device or site than the topic"),
  METRIC_UNKNOWN("metric.unknown", "the metric is not part of the device's profile"),
  UNIT_MISMATCH("unit.mismatch", "the unit differs from the one the device's profile declares"),
  VALUE_OUT_OF_RANGE("value.out-of-range", "the value lies outside the profile's valid range"),
  TIMESTAMP_SKEW("timestamp.skew", "the timestamp lies outside the accepted clock-skew window"),
  RATE_LIMITED("rate.limited", "the device sends more messages than its profile's quota allows");

  private final String code;
  private final String sentence;

  RejectReason(String code, String sentence) {
    this.code = code;
    this.sentence = sentence;
  }

  public String code() {
    return code;
  }

  public String sentence() {
    return sentence;
  }
}
