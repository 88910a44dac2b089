package io.fleetpulse.simulator.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.simulator.signal.Profile;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadEncoderTest {

  private static final long TIMESTAMP = 1_760_000_000_123L;

  private final PayloadEncoder encoder = new PayloadEncoder();
  private final ObjectMapper mapper = new ObjectMapper();

  private static Reading rotatingMachine() {
    return new Reading("rm-00042", Profile.ROTATING_MACHINE, 7, TIMESTAMP, List.of(3.1, 55.25, 80.0, 120.5, 2950.0));
  }

  @Test
  void encodes_compact_json_with_timestamp_sequence_and_named_values() throws Exception {
    JsonNode json = mapper.readTree(encoder.encode(rotatingMachine(), PayloadFormat.COMPACT));

    assertThat(json.isObject()).isTrue();
    assertThat(json.get("ts").isIntegralNumber()).isTrue();
    assertThat(json.get("ts").asLong()).isEqualTo(TIMESTAMP);
    assertThat(json.get("seq").asLong()).isEqualTo(7);
    JsonNode values = json.get("values");
    assertThat(values.fieldNames()).toIterable()
        .containsExactly("vibration", "bearing-temperature", "motor-current", "pressure", "speed");
    assertThat(values.get("vibration").isNumber()).isTrue();
    assertThat(values.get("vibration").asDouble()).isEqualTo(3.1);
    assertThat(values.get("speed").asDouble()).isEqualTo(2950.0);
  }

  @Test
  void encodes_senml_pack_with_base_name_base_time_and_sequence_in_first_record() throws Exception {
    JsonNode pack = mapper.readTree(encoder.encode(rotatingMachine(), PayloadFormat.SENML));

    assertThat(pack.isArray()).isTrue();
    assertThat(pack).hasSize(5);
    JsonNode first = pack.get(0);
    assertThat(first.get("bn").asText()).isEqualTo("rm-00042:");
    assertThat(first.get("bt").decimalValue()).isEqualByComparingTo("1760000000.123");
    assertThat(first.get("seq").asLong()).isEqualTo(7);
    assertThat(first.get("n").asText()).isEqualTo("vibration");
    assertThat(first.get("u").asText()).isEqualTo("mm/s");
    assertThat(first.get("v").asDouble()).isEqualTo(3.1);
    for (int i = 1; i < pack.size(); i++) {
      JsonNode record = pack.get(i);
      assertThat(record.fieldNames()).toIterable().containsExactly("n", "u", "v");
      assertThat(record.get("n").asText()).isEqualTo(Profile.ROTATING_MACHINE.metric(i).name());
      assertThat(record.get("u").asText()).isEqualTo(Profile.ROTATING_MACHINE.metric(i).unit());
      assertThat(record.get("v").isNumber()).isTrue();
    }
    assertThat(pack.get(1).get("v").asDouble()).isEqualTo(55.25);
  }

  @Test
  void writes_environment_sensor_units_in_senml() throws Exception {
    Reading reading = new Reading("env-00001", Profile.ENVIRONMENT_SENSOR, 1, TIMESTAMP, List.of(21.5, 45.0, 800.0, 9.5));

    JsonNode pack = mapper.readTree(encoder.encode(reading, PayloadFormat.SENML));

    assertThat(pack.findValuesAsText("u")).containsExactly("Cel", "%RH", "ppm", "ug/m3");
    assertThat(pack.findValuesAsText("n")).containsExactly("temperature", "humidity", "co2", "pm25");
  }

  @Test
  void rounds_values_to_three_decimals_without_exponent_notation() {
    Reading reading = new Reading("rm-00001", Profile.ROTATING_MACHINE, 1, TIMESTAMP,
        List.of(100.0, 0.00049, 1.23456789, 0.0, 20000.0));

    String json = new String(encoder.encode(reading, PayloadFormat.COMPACT));

    assertThat(json).contains("\"vibration\":100,", "\"bearing-temperature\":0,", "\"motor-current\":1.235,",
        "\"speed\":20000}");
    assertThat(json).doesNotContainIgnoringCase("e+").doesNotContain("E-");
  }
}
