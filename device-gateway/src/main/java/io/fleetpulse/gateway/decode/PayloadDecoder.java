package io.fleetpulse.gateway.decode;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fleetpulse.api.telemetry.RejectReason;
import java.io.IOException;

/**
 * Decodes a telemetry payload in either accepted form: a SenML JSON pack (RFC 8428, a JSON
 * array) or the compact form (a JSON object {@code {"ts":..,"seq":..,"values":{..}}}).
 * Stateless and thread-safe.
 */
public final class PayloadDecoder {

  // NaN and Infinity tokens are read as numbers so they can be rejected as value.not-finite
  // rather than as malformed JSON: the device learns exactly what it did wrong. Content after the
  // first JSON value (two concatenated messages, garbage) is malformed, not silently dropped.
  private static final ObjectMapper MAPPER =
      JsonMapper.builder(new JsonFactory())
          .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final int maxReadings;

  public PayloadDecoder(int maxReadings) {
    this.maxReadings = maxReadings;
  }

  /**
   * @param receivedAtMillis the receive time, used for SenML relative times and when a message
   *     carries no time of its own
   */
  public DecodedTelemetry decode(byte[] payload, long receivedAtMillis) throws DecodeException {
    JsonNode root;
    try {
      root = MAPPER.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "unreadable payload: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw new DecodeException(RejectReason.PAYLOAD_MALFORMED, "empty payload");
    }
    if (root.isArray()) {
      return SenmlDecoding.decode(root, receivedAtMillis, maxReadings);
    }
    if (root.isObject()) {
      return CompactDecoding.decode(root, receivedAtMillis, maxReadings);
    }
    throw new DecodeException(
        RejectReason.PAYLOAD_MALFORMED, "expected a SenML array or a compact JSON object, got " + root.getNodeType());
  }

  /** A finite double from a numeric node, or the matching rejection. */
  static double finiteNumber(JsonNode node, String field) throws DecodeException {
    if (!node.isNumber()) {
      throw new DecodeException(RejectReason.WRONG_TYPE, "'" + field + "' must be a number, got " + node.getNodeType());
    }
    double value = node.doubleValue();
    if (!Double.isFinite(value)) {
      throw new DecodeException(RejectReason.NOT_FINITE, "'" + field + "' is " + value);
    }
    return value;
  }

  /** An integral long from a numeric node (sequence numbers, millisecond timestamps). */
  static long integral(JsonNode node, String field) throws DecodeException {
    if (!node.isNumber()) {
      throw new DecodeException(RejectReason.WRONG_TYPE, "'" + field + "' must be a number, got " + node.getNodeType());
    }
    if (!node.canConvertToExactIntegral() || !node.canConvertToLong()) {
      throw new DecodeException(RejectReason.WRONG_TYPE, "'" + field + "' must be an integer within 64 bits");
    }
    return node.longValue();
  }
}
