package io.fleetpulse.gateway.validate;

import static io.fleetpulse.gateway.decode.PropertyCheck.forAll;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.MetricSpec;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryInputs;
import io.fleetpulse.gateway.decode.TelemetryInputs.Message;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.registry.RegistryView;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Properties of validation over random, valid and mutated messages: nothing escapes, every refusal
 * has a code, and what is accepted is known, finite, in range and timely.
 */
class TelemetryValidatorPropertiesTest {

  private static final int TRIES = 1_000;

  private final Config config = ConfigFactory.load();
  private final GatewaySettings settings = GatewaySettings.fromConfig(config);
  private final DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
  private final TelemetryInputs inputs = new TelemetryInputs(settings, profiles);
  private final long maxPastSkew = settings.validation().maxPastSkew().toMillis();
  private final long maxFutureSkew = settings.validation().maxFutureSkew().toMillis();

  @Test
  void accepts_only_known_finite_in_range_timely_readings_and_refuses_the_rest_with_a_code() {
    Map<String, Integer> outcomes = new TreeMap<>();
    forAll(TRIES, inputs::any, message -> {
      ValidationResult result = validate(message);
      if (result instanceof ValidationResult.Invalid invalid) {
        assertThat(invalid.reason()).isNotNull();
        assertThat(invalid.detail()).isNotBlank();
        assertThat(invalid.topic().isPresent()).isEqualTo(TelemetryTopic.parse(message.topic()).isPresent());
        outcomes.merge(invalid.reason().code(), 1, Integer::sum);
      } else {
        assertAcceptable(message, ((ValidationResult.Valid) result).telemetry());
        outcomes.merge("accepted", 1, Integer::sum);
      }
    });
    int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
    // A third are valid by construction.
    assertThat(outcomes.get("accepted")).as("%s", outcomes).isGreaterThan(total / 5);
    if (total >= TRIES) {
      // The refusals come from past the JSON parser too: each of these is expected 15 times or more.
      assertThat(outcomes).as("%s", outcomes).containsKeys(
          RejectReason.PAYLOAD_MALFORMED.code(), RejectReason.WRONG_TYPE.code(), RejectReason.NOT_FINITE.code(),
          RejectReason.TIMESTAMP_SKEW.code(), RejectReason.VALUE_OUT_OF_RANGE.code(),
          RejectReason.TOPIC_INVALID.code());
    }
  }

  @Test
  void accepts_every_valid_message_as_the_readings_it_carries() {
    forAll(TRIES, inputs::valid, valid -> {
      ValidationResult result = validate(valid.message());
      assertThat(result).isInstanceOf(ValidationResult.Valid.class);
      Telemetry telemetry = ((ValidationResult.Valid) result).telemetry();
      assertThat(telemetry.device().deviceId()).isEqualTo(valid.deviceId());
      assertThat(telemetry.device().site()).isEqualTo(valid.site());
      assertThat(telemetry.sequence()).isEqualTo(valid.sequence().orElse(telemetry.timestampMillis()));
      assertThat(telemetry.samples()).hasSameSizeAs(valid.readings());
      for (int i = 0; i < telemetry.samples().size(); i++) {
        Sample sample = telemetry.samples().get(i);
        valid.readings().get(i).assertMatches(sample.metric(), sample.timestampMillis(), sample.value());
      }
    });
  }

  @Test
  void refuses_exactly_the_payloads_over_the_size_limit() {
    int max = settings.validation().maxPayloadBytes();
    forAll(TRIES / 4, random -> padded(random, inputs.valid(random).message(), max), message -> {
      ValidationResult result = validate(message);
      if (message.payload().length > max) {
        assertRefused(result, RejectReason.PAYLOAD_TOO_LARGE);
      } else {
        assertThat(result).isInstanceOf(ValidationResult.Valid.class);
      }
    });
  }

  @Test
  void refuses_a_time_outside_the_skew_window_however_far_outside() {
    forAll(TRIES, inputs::untimely, message -> assertRefused(validate(message), RejectReason.TIMESTAMP_SKEW));
  }

  @Test
  void refuses_a_value_outside_its_metric_range_however_far_outside() {
    forAll(TRIES, inputs::outOfRange, message -> assertRefused(validate(message), RejectReason.VALUE_OUT_OF_RANGE));
  }

  @Test
  void refuses_nan_and_infinite_values_as_not_finite() {
    forAll(TRIES / 4, inputs::notFinite, message -> assertRefused(validate(message), RejectReason.NOT_FINITE));
  }

  // --- helpers -----------------------------------------------------------------------------

  /** Validates with a registry of its own, so no other try's device has claimed the id first. */
  private ValidationResult validate(Message message) {
    RegistryView registry = new RegistryView(settings.registration(), profiles);
    return new TelemetryValidator(settings.validation(), registry, profiles)
        .validate(message.topic(), message.payload(), message.receivedAtMillis());
  }

  private void assertAcceptable(Message message, Telemetry telemetry) {
    TelemetryTopic topic = TelemetryTopic.parse(message.topic()).orElseThrow();
    assertThat(telemetry.device().deviceId()).isEqualTo(topic.deviceId());
    assertThat(telemetry.device().site()).isEqualTo(topic.site());
    assertThat(message.payload().length).isLessThanOrEqualTo(settings.validation().maxPayloadBytes());
    long earliest = message.receivedAtMillis() - maxPastSkew;
    long latest = message.receivedAtMillis() + maxFutureSkew;
    assertThat(telemetry.timestampMillis()).isBetween(earliest, latest);
    DeviceProfile profile = profiles.get(telemetry.device().profile());
    assertThat(telemetry.samples())
        .isNotEmpty().hasSizeLessThanOrEqualTo(settings.validation().maxReadingsPerMessage());
    for (Sample sample : telemetry.samples()) {
      MetricSpec spec = profile.metric(sample.metric()).orElseThrow();
      assertThat(sample.value()).isFinite().isBetween(spec.min(), spec.max());
      assertThat(sample.timestampMillis()).isBetween(earliest, latest);
    }
  }

  private static void assertRefused(ValidationResult result, RejectReason reason) {
    assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
    assertThat(((ValidationResult.Invalid) result).reason()).as("%s", result).isEqualTo(reason);
  }

  /** A valid message padded with spaces to a size around or below the limit. */
  private static Message padded(SplittableRandom random, Message message, int max) {
    String json = new String(message.payload(), UTF_8);
    int length = message.payload().length;
    int size = random.nextBoolean() ? random.nextInt(max - 8, max + 9) : random.nextInt(length, max + 1_025);
    size = Math.max(length, size);
    return new Message(message.topic(), (json + " ".repeat(size - length)).getBytes(UTF_8), message.receivedAtMillis());
  }
}
