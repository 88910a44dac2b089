package io.fleetpulse.gateway.decode;

import static io.fleetpulse.gateway.decode.PropertyCheck.forAll;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryInputs.Message;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Properties of decoding and topic parsing over random, valid and mutated input. */
class PayloadDecoderPropertiesTest {

  private static final int TRIES = 1_000;

  private final Config config = ConfigFactory.load();
  private final GatewaySettings settings = GatewaySettings.fromConfig(config);
  private final TelemetryInputs inputs = new TelemetryInputs(settings, DeviceProfiles.fromConfig(config));
  private final int maxReadings = settings.validation().maxReadingsPerMessage();
  private final PayloadDecoder decoder = new PayloadDecoder(maxReadings);

  @Test
  void decoding_any_payload_gives_finite_readings_or_a_coded_refusal() {
    forAll(TRIES, this::anyPayloadAnyTime, message -> {
      DecodedTelemetry decoded;
      try {
        decoded = decoder.decode(message.payload(), message.receivedAtMillis());
      } catch (DecodeException e) {
        assertThat(e.reason()).isNotNull();
        assertThat(e.detail()).isNotBlank();
        return;
      }
      assertThat(decoded.readings()).isNotEmpty().hasSizeLessThanOrEqualTo(maxReadings);
      assertThat(decoded.readings()).allSatisfy(reading -> assertThat(reading.value()).isFinite());
    });
  }

  @Test
  void decodes_a_valid_message_into_the_readings_it_carries() {
    forAll(TRIES, inputs::valid, valid -> {
      DecodedTelemetry decoded;
      try {
        decoded = decoder.decode(valid.message().payload(), valid.message().receivedAtMillis());
      } catch (DecodeException e) {
        throw new AssertionError(e.reason().code() + ": " + e.detail());
      }
      assertThat(decoded.sequence()).isEqualTo(valid.sequence());
      decoded.payloadDeviceId().ifPresent(id -> assertThat(id).isEqualTo(valid.deviceId()));
      assertThat(decoded.readings()).hasSameSizeAs(valid.readings());
      for (int i = 0; i < decoded.readings().size(); i++) {
        DecodedTelemetry.Reading reading = decoded.readings().get(i);
        valid.readings().get(i).assertMatches(reading.metric(), reading.timestampMillis(), reading.value());
      }
    });
  }

  @Test
  void parses_a_topic_only_into_valid_ids_that_make_up_the_whole_topic() {
    AtomicInteger parsed = new AtomicInteger();
    forAll(TRIES, inputs::topic, topic -> TelemetryTopic.parse(topic).ifPresent(telemetryTopic -> {
      parsed.incrementAndGet();
      assertThat(TelemetryTopic.isValidId(telemetryTopic.site())).isTrue();
      assertThat(TelemetryTopic.isValidId(telemetryTopic.deviceId())).isTrue();
      assertThat("fleet/" + telemetryTopic.site() + "/" + telemetryTopic.deviceId() + "/telemetry").isEqualTo(topic);
    }));
    // A quarter of the topics are valid by construction, and some mutations keep them valid.
    assertThat(parsed.get()).isGreaterThanOrEqualTo(Integer.getInteger("fleetpulse.property.tries", TRIES) / 8);
  }

  /** Any payload, received at any time: relative SenML times are added to the receive time. */
  private Message anyPayloadAnyTime(SplittableRandom random) {
    Message message = inputs.any(random);
    if (random.nextInt(4) != 0) {
      return message;
    }
    long receivedAt = TelemetryInputs.pick(random, List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, random.nextLong()));
    return new Message(message.topic(), message.payload(), receivedAt);
  }
}
