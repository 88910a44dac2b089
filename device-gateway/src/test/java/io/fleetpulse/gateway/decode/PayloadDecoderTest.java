package io.fleetpulse.gateway.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fleetpulse.api.telemetry.RejectReason;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PayloadDecoderTest {

  private static final long RECEIVED = 1_700_000_100_000L;

  private final PayloadDecoder decoder = new PayloadDecoder(8);

  // --- SenML -------------------------------------------------------------------------------

  @Test
  void applies_senml_base_fields_to_every_record_of_the_pack() throws DecodeException {
    DecodedTelemetry decoded = decode("""
        [
          {"bn":"rm-00042:","bt":1700000000.5,"bu":"mm/s","bv":1.0,"seq":17,"n":"vibration","v":2.5},
          {"n":"bearing-temperature","u":"Cel","t":1.25,"v":60},
          {"n":"speed","u":"1/min","t":-0.5,"v":1450}
        ]
        """);

    assertThat(decoded.payloadDeviceId()).contains("rm-00042");
    assertThat(decoded.sequence()).contains(17L);
    assertThat(decoded.timestampMillis()).isEqualTo(1_700_000_000_500L);
    assertThat(decoded.readings()).containsExactly(
        new DecodedTelemetry.Reading("vibration", Optional.of("mm/s"), 1_700_000_000_500L, 3.5),
        new DecodedTelemetry.Reading("bearing-temperature", Optional.of("Cel"), 1_700_000_001_750L, 61.0),
        new DecodedTelemetry.Reading("speed", Optional.of("1/min"), 1_700_000_000_000L, 1451.0));
  }

  @Test
  void later_base_fields_apply_only_to_the_records_after_them() throws DecodeException {
    DecodedTelemetry decoded = decode("""
        [
          {"bn":"rm-1:","bt":1700000000,"seq":3,"n":"vibration","v":1},
          {"bt":1700000010,"bu":"bar","bv":100,"n":"pressure","v":2}
        ]
        """);

    assertThat(decoded.readings()).containsExactly(
        new DecodedTelemetry.Reading("vibration", Optional.empty(), 1_700_000_000_000L, 1.0),
        new DecodedTelemetry.Reading("pressure", Optional.of("bar"), 1_700_000_010_000L, 102.0));
    assertThat(decoded.timestampMillis()).isEqualTo(1_700_000_000_000L);
  }

  @Test
  void adds_relative_senml_times_to_the_receive_time() throws DecodeException {
    DecodedTelemetry decoded = decode("""
        [
          {"bn":"rm-1:","seq":9,"n":"vibration","t":-5,"v":1},
          {"n":"speed","v":2},
          {"n":"pressure","t":0.25,"v":3}
        ]
        """);

    assertThat(decoded.readings()).extracting(DecodedTelemetry.Reading::timestampMillis)
        .containsExactly(RECEIVED - 5_000, RECEIVED, RECEIVED + 250);
    assertThat(decoded.timestampMillis()).isEqualTo(RECEIVED - 5_000);
  }

  @Test
  void treats_times_from_two_to_the_28_seconds_on_as_absolute() throws DecodeException {
    DecodedTelemetry below = decode("[{\"seq\":1,\"n\":\"vibration\",\"t\":268435455,\"v\":1}]");
    DecodedTelemetry at = decode("[{\"n\":\"vibration\",\"t\":268435456,\"v\":1}]");

    assertThat(below.readings().get(0).timestampMillis()).isEqualTo(RECEIVED + 268_435_455_000L);
    assertThat(at.readings().get(0).timestampMillis()).isEqualTo(268_435_456_000L);
    assertThat(at.sequence()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
      "rm-00042:, rm-00042",
      "urn:dev:mac:0024be:, 0024be",
      "plant-1/rm-7/, rm-7",
      "env-3, env-3"
  })
  void takes_the_last_segment_of_the_base_name_as_device_id(String baseName, String deviceId)
      throws DecodeException {
    DecodedTelemetry decoded = decode("[{\"bn\":\"" + baseName + "\",\"seq\":1,\"n\":\"vibration\",\"v\":1}]");

    assertThat(decoded.payloadDeviceId()).contains(deviceId);
  }

  @Test
  void a_pack_without_base_name_names_no_device() throws DecodeException {
    assertThat(decode("[{\"seq\":1,\"n\":\"vibration\",\"v\":1}]").payloadDeviceId()).isEmpty();
  }

  @Test
  void keeps_the_first_sequence_number_of_the_pack() throws DecodeException {
    DecodedTelemetry decoded = decode("""
        [{"n":"vibration","v":1},{"seq":5,"n":"speed","v":2},{"seq":6,"n":"pressure","v":3}]
        """);

    assertThat(decoded.sequence()).contains(5L);
  }

  // --- compact -----------------------------------------------------------------------------

  @Test
  void decodes_the_compact_form() throws DecodeException {
    DecodedTelemetry decoded = decode("""
        {"deviceId":"rm-9","ts":1700000000123,"seq":42,"fw":"1.2.3",
         "values":{"vibration":1.5,"speed":1200,"bearing-temperature":-3}}
        """);

    assertThat(decoded.payloadDeviceId()).contains("rm-9");
    assertThat(decoded.sequence()).contains(42L);
    assertThat(decoded.timestampMillis()).isEqualTo(1_700_000_000_123L);
    assertThat(decoded.readings()).containsExactly(
        new DecodedTelemetry.Reading("vibration", Optional.empty(), 1_700_000_000_123L, 1.5),
        new DecodedTelemetry.Reading("speed", Optional.empty(), 1_700_000_000_123L, 1200.0),
        new DecodedTelemetry.Reading("bearing-temperature", Optional.empty(), 1_700_000_000_123L, -3.0));
  }

  @Test
  void compact_form_without_ts_is_stamped_with_the_receive_time() throws DecodeException {
    DecodedTelemetry decoded = decode("{\"seq\":1,\"values\":{\"vibration\":1}}");

    assertThat(decoded.timestampMillis()).isEqualTo(RECEIVED);
    assertThat(decoded.readings().get(0).timestampMillis()).isEqualTo(RECEIVED);
    assertThat(decoded.payloadDeviceId()).isEmpty();
  }

  @Test
  void compact_form_without_seq_has_no_sequence() throws DecodeException {
    assertThat(decode("{\"ts\":1700000000000,\"values\":{\"vibration\":1}}").sequence()).isEmpty();
  }

  // --- rejections --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"seq\":1,\"values\":",
      "[{\"n\":\"vibration\",\"v\":1,}]",
      "{'seq':1,'values':{'vibration':1}}",
      "not json at all"
  })
  void rejects_invalid_json_as_malformed(String payload) {
    assertThat(rejectionOf(payload)).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_an_empty_payload_as_malformed() {
    assertThat(rejectionOf("")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_json_followed_by_trailing_content_as_malformed() {
    assertThat(rejectionOf("{\"seq\":1,\"values\":{\"vibration\":1}} {\"seq\":2,\"values\":{\"vibration\":9}}"))
        .isEqualTo("payload.malformed");
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\",\"v\":1}] trailing")).isEqualTo("payload.malformed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"42", "\"text\"", "true", "null"})
  void rejects_a_top_level_scalar_as_malformed(String payload) {
    assertThat(rejectionOf(payload)).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_an_empty_senml_pack_as_malformed() {
    assertThat(rejectionOf("[]")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_a_senml_record_that_is_not_an_object_as_malformed() {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\",\"v\":1}, 5]")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_a_senml_record_without_name_as_malformed() {
    assertThat(rejectionOf("[{\"seq\":1,\"t\":1700000000,\"v\":1}]")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_a_senml_record_without_value_as_malformed() {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\"}]")).isEqualTo("payload.malformed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"vs\":\"running\"", "\"vb\":true", "\"vd\":\"aGk=\""})
  void rejects_senml_string_boolean_and_data_values_as_wrong_type(String field) {
    assertThat(rejectionOf("[{\"bn\":\"rm-1:\",\"seq\":1,\"n\":\"status\"," + field + "}]"))
        .isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_a_senml_value_given_as_string_as_wrong_type() {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\",\"v\":\"12.5\"}]")).isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_a_senml_name_that_is_not_a_string_as_wrong_type() {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":7,\"v\":1}]")).isEqualTo("payload.wrong-type");
    assertThat(rejectionOf("[{\"bn\":7,\"seq\":1,\"n\":\"vibration\",\"v\":1}]")).isEqualTo("payload.wrong-type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e999", "-1e999"})
  void rejects_senml_values_that_are_not_finite(String token) {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\",\"v\":" + token + "}]")).isEqualTo("value.not-finite");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e999"})
  void rejects_compact_values_that_are_not_finite(String token) {
    assertThat(rejectionOf("{\"seq\":1,\"values\":{\"vibration\":" + token + "}}")).isEqualTo("value.not-finite");
  }

  @Test
  void rejects_a_senml_base_value_plus_value_that_overflows_as_not_finite() {
    assertThat(rejectionOf("[{\"bv\":1.7e308,\"seq\":1,\"n\":\"vibration\",\"v\":1.7e308}]"))
        .isEqualTo("value.not-finite");
  }

  @Test
  void rejects_a_non_finite_senml_base_time() {
    assertThat(rejectionOf("[{\"bt\":NaN,\"seq\":1,\"n\":\"vibration\",\"v\":1}]")).isEqualTo("value.not-finite");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"t\":1e300", "\"t\":-1e300", "\"bt\":1e300", "\"bt\":-1e300",
      "\"bt\":1.7e308,\"t\":1.7e308", "\"bt\":-1.7e308,\"t\":-1.7e308",
      "\"t\":9.3e15", "\"t\":-9.3e15"})
  void rejects_senml_times_beyond_epoch_milliseconds_as_skew(String time) {
    assertThat(rejectionOf("[{" + time + ",\"seq\":1,\"n\":\"vibration\",\"v\":1}]")).isEqualTo("timestamp.skew");
  }

  @Test
  void rejects_a_relative_senml_time_that_wraps_a_negative_receive_time_as_skew() throws DecodeException {
    String pack = "[{\"t\":-9.2e15,\"seq\":1,\"n\":\"vibration\",\"v\":1}]";

    assertThat(decoder.decode(bytes(pack), 0).readings().get(0).timestampMillis())
        .isEqualTo(-9_200_000_000_000_000_000L);
    try {
      decoder.decode(bytes(pack), -100_000_000_000_000_000L);
      fail("a receive time plus relative time below Long.MIN_VALUE must be refused");
    } catch (DecodeException e) {
      assertThat(e.reason()).isEqualTo(RejectReason.TIMESTAMP_SKEW);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"t\":NaN", "\"t\":-Infinity", "\"bt\":Infinity", "\"t\":1e999"})
  void rejects_non_finite_senml_times_as_not_finite(String time) {
    assertThat(rejectionOf("[{" + time + ",\"seq\":1,\"n\":\"vibration\",\"v\":1}]")).isEqualTo("value.not-finite");
  }

  @ParameterizedTest
  @ValueSource(strings = {"1e300", "-1e300", "1e19", "-9223372036854775809", "18446744073709551616"})
  void rejects_a_compact_ts_beyond_64_bits_as_skew(String ts) {
    assertThat(rejectionOf("{\"ts\":" + ts + ",\"seq\":1,\"values\":{\"vibration\":1}}")).isEqualTo("timestamp.skew");
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity", "1e999"})
  void rejects_a_non_finite_compact_ts_as_not_finite(String ts) {
    assertThat(rejectionOf("{\"ts\":" + ts + ",\"seq\":1,\"values\":{\"vibration\":1}}")).isEqualTo("value.not-finite");
  }

  @Test
  void rejects_a_compact_value_given_as_string_as_wrong_type() {
    assertThat(rejectionOf("{\"seq\":1,\"values\":{\"vibration\":\"1.5\"}}")).isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_compact_values_that_are_not_an_object() {
    assertThat(rejectionOf("{\"seq\":1,\"values\":[1,2]}")).isEqualTo("payload.wrong-type");
    assertThat(rejectionOf("{\"seq\":1}")).isEqualTo("payload.malformed");
    assertThat(rejectionOf("{\"seq\":1,\"values\":{}}")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_a_compact_device_id_that_is_not_a_string_as_wrong_type() {
    assertThat(rejectionOf("{\"deviceId\":42,\"seq\":1,\"values\":{\"vibration\":1}}")).isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_compact_form_without_seq_and_ts_as_sequence_missing() {
    assertThat(rejectionOf("{\"deviceId\":\"rm-1\",\"values\":{\"vibration\":1}}")).isEqualTo("sequence.missing");
  }

  @Test
  void rejects_senml_without_seq_or_absolute_time_as_sequence_missing() {
    assertThat(rejectionOf("[{\"bn\":\"rm-1:\",\"n\":\"vibration\",\"v\":1}]")).isEqualTo("sequence.missing");
    assertThat(rejectionOf("[{\"bn\":\"rm-1:\",\"n\":\"vibration\",\"t\":-10,\"v\":1}]")).isEqualTo("sequence.missing");
  }

  @Test
  void rejects_a_fractional_sequence_number_as_wrong_type() {
    assertThat(rejectionOf("[{\"seq\":1.5,\"n\":\"vibration\",\"v\":1}]")).isEqualTo("payload.wrong-type");
    assertThat(rejectionOf("{\"seq\":1.5,\"values\":{\"vibration\":1}}")).isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_a_sequence_number_given_as_string_or_beyond_64_bits_as_wrong_type() {
    assertThat(rejectionOf("{\"seq\":\"7\",\"values\":{\"vibration\":1}}")).isEqualTo("payload.wrong-type");
    assertThat(rejectionOf("{\"seq\":18446744073709551616,\"values\":{\"vibration\":1}}"))
        .isEqualTo("payload.wrong-type");
    assertThat(rejectionOf("{\"ts\":\"2024-01-01T00:00:00Z\",\"seq\":1,\"values\":{\"vibration\":1}}"))
        .isEqualTo("payload.wrong-type");
  }

  @Test
  void rejects_a_must_understand_senml_label_as_malformed() {
    assertThat(rejectionOf("[{\"seq\":1,\"n\":\"vibration\",\"v\":1,\"foo_\":1}]")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_duplicate_keys_as_malformed() {
    assertThat(rejectionOf("{\"seq\":1,\"seq\":2,\"values\":{\"vibration\":1}}")).isEqualTo("payload.malformed");
  }

  @Test
  void rejects_more_readings_than_allowed_as_malformed() throws DecodeException {
    PayloadDecoder small = new PayloadDecoder(2);
    String twoRecords = "[{\"seq\":1,\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2}]";
    String threeRecords = "[{\"seq\":1,\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2},{\"n\":\"c\",\"v\":3}]";

    assertThat(small.decode(bytes(twoRecords), RECEIVED).readings()).hasSize(2);
    assertThat(rejectionOf(small, threeRecords)).isEqualTo("payload.malformed");
    assertThat(rejectionOf(small, "{\"seq\":1,\"values\":{\"a\":1,\"b\":2,\"c\":3}}")).isEqualTo("payload.malformed");
  }

  @Test
  void a_rejection_says_which_field_is_wrong() {
    DecodeException e = decodeFailure(decoder, "[{\"seq\":1,\"n\":\"vibration\",\"v\":\"12.5\"}]");

    assertThat(e.reason()).isEqualTo(RejectReason.WRONG_TYPE);
    assertThat(e.detail()).contains("'v'");
  }

  // --- helpers -----------------------------------------------------------------------------

  private DecodedTelemetry decode(String json) throws DecodeException {
    return decoder.decode(bytes(json), RECEIVED);
  }

  private String rejectionOf(String json) {
    return rejectionOf(decoder, json);
  }

  private static String rejectionOf(PayloadDecoder decoder, String json) {
    return decodeFailure(decoder, json).reason().code();
  }

  private static DecodeException decodeFailure(PayloadDecoder decoder, String json) {
    try {
      DecodedTelemetry decoded = decoder.decode(bytes(json), RECEIVED);
      return fail("expected '%s' to be rejected, but it decoded to %s", json, decoded);
    } catch (DecodeException e) {
      return e;
    }
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }
}
