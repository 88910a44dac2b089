package io.fleetpulse.gateway.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.telemetry.RejectReason;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compact form {@code {"ts": <epoch millis>, "seq": <long>, "values": {"metric": number}}}
 * with an optional {@code "deviceId"}. Unknown top-level fields are ignored for forward
 * compatibility; every value must be a finite number.
 */
final class CompactDecoding {

  private CompactDecoding() {}

  static DecodedTelemetry decode(JsonNode root, long receivedAtMillis, int maxReadings) throws DecodeException {
    JsonNode values = root.get("values");
    if (values == null) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "compact payload has no 'values' object");
    }
    if (!values.isObject()) {
      throw new DecodeException(RejectReason.WRONG_TYPE, "'values' must be an object, got " + values.getNodeType());
    }
    if (values.isEmpty()) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "'values' is empty");
    }
    if (values.size() > maxReadings) {
      throw new DecodeException(
          RejectReason.PAYLOAD_MALFORMED, "'values' has " + values.size() + " entries, at most " + maxReadings + " allowed");
    }
    Optional<Long> sequence = root.has("seq") ? Optional.of(PayloadDecoder.integral(root.get("seq"), "seq")) : Optional.empty();
    long timestamp = root.has("ts") ? timestamp(root.get("ts")) : receivedAtMillis;
    if (!root.has("ts") && sequence.isEmpty()) {
      throw new DecodeException(RejectReason.SEQUENCE_MISSING, "the message carries neither 'seq' nor 'ts'");
    }
    Optional<String> deviceId = Optional.empty();
    if (root.has("deviceId")) {
      JsonNode id = root.get("deviceId");
      if (!id.isTextual()) {
        throw new DecodeException(RejectReason.WRONG_TYPE, "'deviceId' must be a string");
      }
      deviceId = Optional.of(id.textValue());
    }
    List<DecodedTelemetry.Reading> readings = new ArrayList<>(values.size());
    Iterator<Map.Entry<String, JsonNode>> fields = values.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      double value = PayloadDecoder.finiteNumber(field.getValue(), field.getKey());
      readings.add(new DecodedTelemetry.Reading(field.getKey(), Optional.empty(), timestamp, value));
    }
    return new DecodedTelemetry(deviceId, sequence, timestamp, readings);
  }

  /**
   * {@code ts} in epoch milliseconds. NaN and infinities are not finite; an integer beyond 64 bits
   * (1e300) is a time, one that no clock-skew window holds.
   */
  private static long timestamp(JsonNode ts) throws DecodeException {
    double value = PayloadDecoder.finiteNumber(ts, "ts");
    if (ts.canConvertToExactIntegral() && !ts.canConvertToLong()) {
      throw new DecodeException(
          RejectReason.TIMESTAMP_SKEW, "'ts' = " + value + " ms lies beyond any clock-skew window");
    }
    return PayloadDecoder.integral(ts, "ts");
  }
}
