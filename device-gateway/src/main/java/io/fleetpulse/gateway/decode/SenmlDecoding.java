package io.fleetpulse.gateway.decode;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetpulse.api.telemetry.RejectReason;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SenML JSON (RFC 8428) packs. Base fields (bn, bt, bu, bv) apply to the records that follow
 * them. The base name identifies the device: its last ':' or '/' separated segment is the device
 * id ({@code "rm-00042:"}, {@code "urn:dev:mac:0024be:"}); record names are metric names. Times
 * are seconds; values below 2^28 are relative to now, as the RFC says. FleetPulse's one
 * extension is {@code seq}, the device-local sequence number, allowed on any record (the first
 * one wins). Labels ending in '_' are must-understand (RFC 8428 section 4.4): they are rejected.
 */
final class SenmlDecoding {

  private static final double RELATIVE_TIME_LIMIT_SECONDS = 268_435_456d; // 2^28

  private SenmlDecoding() {}

  static DecodedTelemetry decode(JsonNode pack, long receivedAtMillis, int maxReadings) throws DecodeException {
    if (pack.isEmpty()) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "SenML pack has no records");
    }
    if (pack.size() > maxReadings) {
      throw new DecodeException(
          RejectReason.PAYLOAD_MALFORMED, "SenML pack has " + pack.size() + " records, at most " + maxReadings + " allowed");
    }
    String baseName = null;
    double baseTime = 0;
    String baseUnit = null;
    double baseValue = 0;
    Long sequence = null;
    Long firstTime = null;
    boolean absoluteTime = false;
    List<DecodedTelemetry.Reading> readings = new ArrayList<>(pack.size());
    int index = 0;
    for (JsonNode record : pack) {
      if (!record.isObject()) {
        throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "SenML record " + index + " is not an object");
      }
      rejectMustUnderstandLabels(record, index);
      if (record.has("bn")) {
        baseName = text(record.get("bn"), "bn");
      }
      if (record.has("bt")) {
        baseTime = PayloadDecoder.finiteNumber(record.get("bt"), "bt");
      }
      if (record.has("bu")) {
        baseUnit = text(record.get("bu"), "bu");
      }
      if (record.has("bv")) {
        baseValue = PayloadDecoder.finiteNumber(record.get("bv"), "bv");
      }
      if (record.has("seq") && sequence == null) {
        sequence = PayloadDecoder.integral(record.get("seq"), "seq");
      }
      readings.add(reading(record, index, baseTime, baseUnit, baseValue, receivedAtMillis));
      if (firstTime == null) {
        firstTime = readings.get(readings.size() - 1).timestampMillis();
        absoluteTime = baseTime + (record.has("t") ? record.get("t").asDouble() : 0) >= RELATIVE_TIME_LIMIT_SECONDS;
      }
      index++;
    }
    if (sequence == null && !absoluteTime) {
      // Without either there is no stable key to recognise a QoS 1 redelivery by.
      throw new DecodeException(
          RejectReason.SEQUENCE_MISSING, "the pack carries neither a 'seq' nor an absolute time");
    }
    return new DecodedTelemetry(
        Optional.ofNullable(baseName).map(SenmlDecoding::deviceIdOf),
        Optional.ofNullable(sequence),
        firstTime,
        readings);
  }

  private static DecodedTelemetry.Reading reading(
      JsonNode record, int index, double baseTime, String baseUnit, double baseValue, long receivedAtMillis)
      throws DecodeException {
    JsonNode name = record.get("n");
    if (name == null) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "SenML record " + index + " has no name 'n'");
    }
    String metric = text(name, "n");
    JsonNode value = record.get("v");
    if (value == null) {
      if (record.has("vs") || record.has("vb") || record.has("vd")) {
        throw new DecodeException(
            RejectReason.WRONG_TYPE, "SenML record '" + metric + "' carries a string, boolean or data value; numbers only");
      }
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "SenML record '" + metric + "' has no value 'v'");
    }
    double v = baseValue + PayloadDecoder.finiteNumber(value, "v");
    if (!Double.isFinite(v)) {
      throw new DecodeException(RejectReason.NOT_FINITE, "SenML record '" + metric + "' overflows to " + v);
    }
    double seconds = baseTime + (record.has("t") ? PayloadDecoder.finiteNumber(record.get("t"), "t") : 0);
    long millis = epochMillis(seconds, receivedAtMillis, metric);
    String unit = record.has("u") ? text(record.get("u"), "u") : baseUnit;
    return new DecodedTelemetry.Reading(metric, Optional.ofNullable(unit), millis, v);
  }

  /**
   * Epoch milliseconds of a SenML time in seconds (base time plus time). {@code Math.round}
   * saturates and the receive time plus a relative time can wrap, so a time of 1e300 s would
   * become some other time; one beyond the range of epoch milliseconds is refused instead.
   */
  private static long epochMillis(double seconds, long receivedAtMillis, String metric) throws DecodeException {
    double millis = seconds * 1000;
    if (!(millis >= -0x1p63 && millis < 0x1p63)) {
      throw beyondAnySkew(metric, seconds);
    }
    long rounded = Math.round(millis);
    if (seconds >= RELATIVE_TIME_LIMIT_SECONDS) {
      return rounded;
    }
    try {
      return Math.addExact(receivedAtMillis, rounded);
    } catch (ArithmeticException e) {
      throw beyondAnySkew(metric, seconds);
    }
  }

  private static DecodeException beyondAnySkew(String metric, double seconds) {
    return new DecodeException(RejectReason.TIMESTAMP_SKEW,
        "SenML record '" + metric + "' has time " + seconds + " s, beyond any clock-skew window");
  }

  private static void rejectMustUnderstandLabels(JsonNode record, int index) throws DecodeException {
    Iterator<Map.Entry<String, JsonNode>> fields = record.fields();
    while (fields.hasNext()) {
      String label = fields.next().getKey();
      if (label.endsWith("_")) {
        throw new DecodeException(
            RejectReason.PAYLOAD_MALFORMED, "SenML record " + index + " has must-understand label '" + label + "'");
      }
    }
  }

  private static String text(JsonNode node, String field) throws DecodeException {
    if (!node.isTextual()) {
      throw new DecodeException(RejectReason.WRONG_TYPE, "'" + field + "' must be a string, got " + node.getNodeType());
    }
    return node.textValue();
  }

  /** The device id a base name denotes: its last non-empty ':' or '/' separated segment. */
  static String deviceIdOf(String baseName) {
    int end = baseName.length();
    while (end > 0 && isSeparator(baseName.charAt(end - 1))) {
      end--;
    }
    int start = end;
    while (start > 0 && !isSeparator(baseName.charAt(start - 1))) {
      start--;
    }
    return baseName.substring(start, end);
  }

  private static boolean isSeparator(char c) {
    return c == ':' || c == '/';
  }
}
