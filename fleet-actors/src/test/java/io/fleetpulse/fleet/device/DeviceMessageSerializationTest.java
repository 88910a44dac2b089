package io.fleetpulse.fleet.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.alert.AlertSeverity;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Every message of the device actor and the directory goes through Jackson CBOR: with {@code
 * serialize-messages = on} each local message is serialized and deserialized as if it crossed
 * nodes, and the explicit round trips check that nothing is lost on the way.
 */
class DeviceMessageSerializationTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      ConfigFactory.parseString("pekko.actor.provider = local\npekko.actor.serialize-messages = on")
          .withFallback(ConfigFactory.load()));
  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.load());
  private static final FleetSettings.Device SETTINGS = FleetSettings.fromConfig(ConfigFactory.load()).device();
  private static final DeviceIdentity PUMP = new DeviceIdentity("pump-1", "plant-a", "rotating-machine");
  private static final long T0 = 1_700_000_000_000L;

  @AfterAll
  static void shutDown() {
    TEST_KIT.shutdownTestKit();
  }

  @Test
  void ingest_and_view_round_trip_through_the_serializer() {
    TestProbe<FleetDirectory.Command> directory = TEST_KIT.createTestProbe(FleetDirectory.Command.class);
    TestProbe<IngestOutcome> outcomes = TEST_KIT.createTestProbe(IngestOutcome.class);
    TestProbe<DeviceActor.ViewReply> views = TEST_KIT.createTestProbe(DeviceActor.ViewReply.class);
    ActorRef<DeviceActor.Command> device =
        TEST_KIT.spawn(DeviceActor.create("pump-1", PROFILES, SETTINGS, directory.ref(), Clock.systemUTC(), Inference.NONE));

    device.tell(new DeviceActor.Ingest(telemetry(1), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Accepted("pump-1", 1));
    device.tell(new DeviceActor.Ingest(telemetry(1), outcomes.ref()));
    assertThat(outcomes.receiveMessage()).isEqualTo(new IngestOutcome.Duplicate("pump-1", 1));
    device.tell(new DeviceActor.RecordRejection(PUMP, RejectReason.UNIT_MISMATCH));
    device.tell(new DeviceActor.GetView(views.ref()));

    DeviceView view = views.receiveMessage().view();
    assertThat(view.accepted()).isEqualTo(1);
    assertThat(view.duplicates()).isEqualTo(1);
    assertThat(view.rejectsByReason()).containsEntry("unit.mismatch", 1L);
    assertThat(view.metrics().get(0).last()).isEqualTo(2.5);
    assertThat(view.metrics().get(0).windows().get(0).window()).isEqualTo(SETTINGS.aggregationWindows().get(0));
    assertThat(directory.receiveMessage())
        .isEqualTo(new FleetDirectory.DeviceStatusChanged("pump-1", "plant-a", true));
  }

  @Test
  void messages_are_bound_to_jackson_cbor_and_survive_a_round_trip_unchanged() {
    TestProbe<IngestOutcome> outcomes = TEST_KIT.createTestProbe(IngestOutcome.class);
    TestProbe<DeviceActor.ViewReply> views = TEST_KIT.createTestProbe(DeviceActor.ViewReply.class);
    TestProbe<FleetDirectory.FleetOverview> overviews = TEST_KIT.createTestProbe(FleetDirectory.FleetOverview.class);
    DeviceState state = new DeviceState(PUMP, PROFILES.get("rotating-machine"), SETTINGS);
    state.ingest(telemetry(1));
    state.ingest(new Telemetry(PUMP, 2, T0 + 1000, List.of(new Sample("vibration", T0 + 1000, 3.5)), T0 + 1000));
    state.recordRejection(RejectReason.VALUE_OUT_OF_RANGE);

    List<Object> messages = List.of(
        new DeviceActor.Ingest(telemetry(1), outcomes.ref()),
        new DeviceActor.Ingest(telemetry(2).withDeliveryId(-4_611_686_018_427_387_904L), outcomes.ref()),
        new DeviceActor.RecordRejection(PUMP, RejectReason.METRIC_UNKNOWN),
        new DeviceActor.GetView(views.ref()),
        new DeviceActor.ViewReply("pump-1", state.view(true, 20)),
        new DeviceActor.ViewReply("pump-1", null),
        new IngestOutcome.Accepted("pump-1", 1),
        new IngestOutcome.Duplicate("pump-1", 1),
        new IngestOutcome.Rejected("pump-1", 1, RejectReason.SEQUENCE_TOO_OLD, "too old"),
        new FleetDirectory.DeviceStatusChanged("pump-1", "plant-a", false),
        new FleetDirectory.GetOverview(overviews.ref()),
        new FleetDirectory.FleetOverview(1, 0, List.of(new FleetDirectory.SiteOverview("plant-a", 1, 0))),
        new AlertReply.Refused(ErrorCode.ALERT_ALREADY_CLEARED, "alert 1 was cleared by ada"),
        new AlertReply.Changed(Alert.raised(new java.util.UUID(1, 2), "pump-1", "plant-a", "bearing-overheat",
            AlertSeverity.MAJOR, "bearing-temperature is 100", T0, 100.0, 1)));

    Serialization serialization = SerializationExtension.get(TEST_KIT.system().classicSystem());
    for (Object message : messages) {
      assertThat(serialization.findSerializerFor(message))
          .as("serializer of %s", message.getClass().getName())
          .isInstanceOf(JacksonCborSerializer.class);
      byte[] bytes = serialization.serialize(message).get();
      Object copy = serialization.deserialize(
          bytes,
          serialization.findSerializerFor(message).identifier(),
          Serializers.manifestFor(serialization.findSerializerFor(message), message)).get();
      assertThat(copy).as("round trip of %s", message.getClass().getName()).isEqualTo(message);
    }
  }

  private static Telemetry telemetry(long sequence) {
    return new Telemetry(
        PUMP, sequence, T0, List.of(new Sample("vibration", T0, 2.5), new Sample("pressure", T0, 4.25)), T0);
  }
}
