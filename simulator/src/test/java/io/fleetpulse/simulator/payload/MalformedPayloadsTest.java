package io.fleetpulse.simulator.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fleetpulse.simulator.signal.Profile;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MalformedPayloadsTest {

  private static final long NOW = 1_760_000_000_000L;
  private static final int OVERSIZE_BYTES = 70_100;
  private static final Duration TEN_YEARS = Duration.ofDays(3650);

  private final MalformedPayloads payloads = new MalformedPayloads(new PayloadEncoder(), OVERSIZE_BYTES, TEN_YEARS);
  private final ObjectMapper strict = new ObjectMapper();
  private final ObjectMapper lenient = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private final Reading reading =
      new Reading("rm-00042", Profile.ROTATING_MACHINE, 9, NOW, List.of(3.1, 55.2, 80.0, 120.0, 2950.0));

  private String text(MalformedKind kind, PayloadFormat format) {
    return new String(payloads.build(kind, reading, format));
  }

  @ParameterizedTest
  @EnumSource(PayloadFormat.class)
  void broken_json_does_not_parse(PayloadFormat format) {
    byte[] payload = payloads.build(MalformedKind.BROKEN_JSON, reading, format);

    assertThatThrownBy(() -> strict.readTree(payload)).isInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> lenient.readTree(payload)).isInstanceOf(JsonProcessingException.class);
  }

  @Test
  void wrong_type_sends_a_value_as_a_json_string_in_both_forms() throws Exception {
    JsonNode compact = strict.readTree(text(MalformedKind.WRONG_TYPE, PayloadFormat.COMPACT));
    JsonNode senml = strict.readTree(text(MalformedKind.WRONG_TYPE, PayloadFormat.SENML));

    assertThat(compact.at("/values/vibration").isTextual()).isTrue();
    assertThat(compact.at("/values/vibration").asText()).isEqualTo("3.1");
    assertThat(senml.get(0).get("v").isTextual()).isTrue();
    assertThat(senml.get(1).get("v").isNumber()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(PayloadFormat.class)
  void not_finite_contains_an_unquoted_nan_token(PayloadFormat format) throws Exception {
    String json = text(MalformedKind.NOT_FINITE, format);

    assertThat(json).contains("NaN").doesNotContain("\"NaN\"");
    assertThatThrownBy(() -> strict.readTree(json)).isInstanceOf(JsonProcessingException.class);
    JsonNode parsed = lenient.readTree(json);
    JsonNode value = format == PayloadFormat.COMPACT ? parsed.at("/values/vibration") : parsed.get(0).get("v");
    assertThat(Double.isNaN(value.asDouble())).isTrue();
  }

  @Test
  void out_of_range_puts_a_value_above_the_metric_maximum() throws Exception {
    JsonNode compact = strict.readTree(text(MalformedKind.OUT_OF_RANGE, PayloadFormat.COMPACT));
    JsonNode senml = strict.readTree(text(MalformedKind.OUT_OF_RANGE, PayloadFormat.SENML));

    assertThat(compact.at("/values/vibration").asDouble()).isGreaterThan(Profile.ROTATING_MACHINE.metric(0).max());
    assertThat(senml.get(0).get("v").asDouble()).isGreaterThan(100);
  }

  @Test
  void unknown_metric_adds_flux_capacitance() throws Exception {
    JsonNode compact = strict.readTree(text(MalformedKind.UNKNOWN_METRIC, PayloadFormat.COMPACT));
    JsonNode senml = strict.readTree(text(MalformedKind.UNKNOWN_METRIC, PayloadFormat.SENML));

    assertThat(compact.at("/values/flux-capacitance").isNumber()).isTrue();
    assertThat(senml.findValuesAsText("n")).contains("flux-capacitance");
  }

  @Test
  void timestamp_skew_lies_ten_years_in_the_past() throws Exception {
    JsonNode compact = strict.readTree(text(MalformedKind.TIMESTAMP_SKEW, PayloadFormat.COMPACT));
    JsonNode senml = strict.readTree(text(MalformedKind.TIMESTAMP_SKEW, PayloadFormat.SENML));

    assertThat(compact.get("ts").asLong()).isEqualTo(NOW - TEN_YEARS.toMillis());
    assertThat(senml.get(0).get("bt").asDouble() * 1000).isCloseTo(NOW - TEN_YEARS.toMillis(), offset(1.0));
  }

  @ParameterizedTest
  @EnumSource(PayloadFormat.class)
  void device_mismatch_is_senml_naming_another_device(PayloadFormat format) throws Exception {
    JsonNode senml = strict.readTree(text(MalformedKind.DEVICE_MISMATCH, format));

    assertThat(senml.isArray()).isTrue();
    assertThat(senml.get(0).get("bn").asText()).isEqualTo("rm-99999:");
  }

  @ParameterizedTest
  @EnumSource(PayloadFormat.class)
  void too_large_exceeds_seventy_thousand_bytes_and_is_otherwise_json(PayloadFormat format) throws Exception {
    byte[] payload = payloads.build(MalformedKind.TOO_LARGE, reading, format);

    assertThat(payload.length).isGreaterThan(70_000);
    assertThat(strict.readTree(payload)).isNotNull();
  }

  @Test
  void kinds_cycle_in_declaration_order_and_carry_the_node_codes() {
    assertThat(MalformedKind.cycle(0)).isEqualTo(MalformedKind.BROKEN_JSON);
    assertThat(MalformedKind.cycle(7)).isEqualTo(MalformedKind.TOO_LARGE);
    assertThat(MalformedKind.cycle(8)).isEqualTo(MalformedKind.BROKEN_JSON);
    assertThat(Arrays.stream(MalformedKind.values()).map(MalformedKind::code)).containsExactly(
        "payload.malformed", "payload.wrong-type", "value.not-finite", "value.out-of-range", "metric.unknown",
        "timestamp.skew", "device.mismatch", "payload.too-large");
  }
}
