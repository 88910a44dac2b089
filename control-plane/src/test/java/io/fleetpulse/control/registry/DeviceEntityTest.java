package io.fleetpulse.control.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.RegistryEntry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The device entity's decisions and events; the test kit also serialises every command, event, reply and state. */
class DeviceEntityTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T06:00:00Z"), ZoneOffset.UTC);

  private final List<RegistryEntry> published = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State> entity;

  @BeforeEach
  void start() {
    entity = EventSourcedBehaviorTestKit.create(TEST_KIT.system(), DeviceEntity.create("pump-1", CLOCK, published::add));
    entity.clear();
  }

  @AfterAll
  static void stop() {
    TEST_KIT.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State, RegistryReply>
      register(String site, String profile, boolean auto) {
    return entity.runCommand(replyTo -> new DeviceEntity.Register(site, profile, Map.of(), auto, "ada", replyTo));
  }

  @Test
  void registers_moves_and_changes_profile_with_one_event_each_and_publishes_every_change() {
    assertThat(register("plant-1", "rotating-machine", false).events())
        .containsExactly(new DeviceEntity.Registered("plant-1", "rotating-machine", false, Map.of(), "ada", CLOCK.millis()));
    assertThat(register("plant-1", "rotating-machine", false).events()).as("nothing changes").isEmpty();

    var moved = register("plant-2", "environment-sensor", false);
    assertThat(moved.events()).containsExactly(new DeviceEntity.MovedToSite("plant-2", "ada", CLOCK.millis()),
        new DeviceEntity.ProfileChanged("environment-sensor", "ada", CLOCK.millis()));
    assertThat(moved.reply()).isEqualTo(new RegistryReply.Accepted(
        new RegistryEntry("pump-1", "plant-2", "environment-sensor", false, false, 3, CLOCK.millis())));
    assertThat(published).extracting(RegistryEntry::revision).containsExactly(1L, 3L);
  }

  @Test
  void an_auto_provisioning_never_changes_a_registered_device_but_an_operator_adopts_an_auto_provisioned_one() {
    register("plant-1", "rotating-machine", false);
    assertThat(register("plant-9", "rotating-machine", true).events()).isEmpty();

    entity.clear();
    register("plant-1", "rotating-machine", true);
    var adopted = register("plant-1", "rotating-machine", false);
    assertThat(adopted.events()).containsExactly(new DeviceEntity.Registered("plant-1", "rotating-machine", false,
        Map.of(), "ada", CLOCK.millis()));
    assertThat(adopted.state().autoProvisioned()).isFalse();
  }

  @Test
  void a_decommissioned_device_refuses_registration_and_a_second_decommissioning_with_their_codes() {
    var unknown = entity.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Decommission("ada", replyTo));
    assertThat(unknown.reply()).isInstanceOfSatisfying(RegistryReply.Refused.class,
        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.DEVICE_UNKNOWN));

    register("plant-1", "rotating-machine", false);
    var decommissioned = entity.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Decommission("ada", replyTo));
    assertThat(decommissioned.events()).containsExactly(new DeviceEntity.Decommissioned("ada", CLOCK.millis()));
    assertThat(published.get(published.size() - 1).decommissioned()).isTrue();

    assertThat(register("plant-1", "rotating-machine", false).reply()).isInstanceOfSatisfying(RegistryReply.Refused.class,
        refused -> assertThat(refused.code()).isEqualTo(ErrorCode.DEVICE_DECOMMISSIONED));
    assertThat(entity.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Decommission("bob", replyTo)).reply())
        .isInstanceOfSatisfying(RegistryReply.Refused.class,
            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.DEVICE_DECOMMISSIONED));
  }

  @Test
  void a_restarted_entity_recovers_its_state_and_hands_it_to_the_views_again() {
    register("plant-1", "rotating-machine", false);
    register("plant-2", "rotating-machine", false);
    published.clear();

    entity.restart();

    assertThat(published).containsExactly(
        new RegistryEntry("pump-1", "plant-2", "rotating-machine", false, false, 2, CLOCK.millis()));
  }

  @Test
  void reads_a_registration_stored_by_version_1_which_had_no_metadata() throws Exception {
    var serialization = org.apache.pekko.serialization.SerializationExtension.get(TEST_KIT.system());
    DeviceEntity.Registered current = new DeviceEntity.Registered("plant-1", "rotating-machine", false,
        Map.of("serial", "SN-1"), "ada", CLOCK.millis());
    var serializer = (org.apache.pekko.serialization.SerializerWithStringManifest) serialization.findSerializerFor(current);
    assertThat(serializer.manifest(current)).as("the version is in the manifest").endsWith("#2");

    // Version 1's bytes: the same event without metadata, with the manifest version 1 wrote (no version).
    com.fasterxml.jackson.databind.ObjectMapper cbor =
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.cbor.CBORFactory());
    byte[] version1 = cbor.writeValueAsBytes(Map.of("site", "plant-1", "profile", "rotating-machine",
        "autoProvisioned", false, "by", "ada", "atMillis", CLOCK.millis()));
    Object read = serializer.fromBinary(version1, DeviceEntity.Registered.class.getName());

    assertThat(read).isEqualTo(new DeviceEntity.Registered("plant-1", "rotating-machine", false, Map.of(), "ada",
        CLOCK.millis()));
  }

  @Test
  void changed_metadata_is_an_event_of_its_own() {
    register("plant-1", "rotating-machine", false);

    var changed = entity.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Register("plant-1", "rotating-machine",
        Map.of("serial", "SN-9"), false, "ada", replyTo));

    assertThat(changed.events()).containsExactly(new DeviceEntity.MetadataChanged(Map.of("serial", "SN-9"), "ada",
        CLOCK.millis()));
    assertThat(changed.state().metadata()).containsEntry("serial", "SN-9");
  }

  /** A clock the test moves. */
  private static final class MovingClock extends Clock {
    private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(CLOCK.millis());

    void advance(java.time.Duration by) {
      millis.addAndGet(by.toMillis());
    }

    @Override
    public long millis() {
      return millis.get();
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void provisioning_issues_the_first_credential_once_rotation_keeps_the_old_one_for_the_grace_and_revocation_ends_all() {
    MovingClock clock = new MovingClock();
    var device = EventSourcedBehaviorTestKit.<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State>create(
        TEST_KIT.system(), DeviceEntity.create("pump-7", clock, published::add));
    long start = clock.millis();

    var provisioned = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Register("plant-1", "rotating-machine",
        Map.of(), false, "ada", "hash-1", replyTo));
    assertThat(provisioned.events()).contains(new DeviceEntity.CredentialIssued("hash-1", start, "ada", start));
    assertThat(provisioned.state().credentials()).containsExactly(new io.fleetpulse.api.registry.Credential("hash-1", Long.MAX_VALUE));
    var again = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Register("plant-1", "rotating-machine",
        Map.of(), false, "ada", "hash-other", replyTo));
    assertThat(again.events()).as("registered again: it keeps its secret").isEmpty();

    clock.advance(java.time.Duration.ofMinutes(1));
    var rotated = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.IssueCredential("hash-2", 60_000, "ada", replyTo));
    long rotatedAt = clock.millis();
    assertThat(rotated.state().credentials()).containsExactly(
        new io.fleetpulse.api.registry.Credential("hash-1", rotatedAt + 60_000),
        new io.fleetpulse.api.registry.Credential("hash-2", Long.MAX_VALUE));
    RegistryEntry entry = ((RegistryReply.Accepted) rotated.reply()).entry();
    assertThat(entry.credentials()).hasSize(2);
    assertThat(published.get(published.size() - 1)).isEqualTo(entry);

    clock.advance(java.time.Duration.ofSeconds(61));
    var third = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.IssueCredential("hash-3", 0, "ada", replyTo));
    assertThat(third.state().credentials()).as("hash-1 expired, hash-2 ended at once")
        .containsExactly(new io.fleetpulse.api.registry.Credential("hash-3", Long.MAX_VALUE));

    var revoked = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.RevokeCredentials("ada", replyTo));
    assertThat(revoked.events()).containsExactly(new DeviceEntity.CredentialsRevoked("ada", clock.millis()));
    assertThat(((RegistryReply.Accepted) revoked.reply()).entry().hasCredentialAt(clock.millis())).isFalse();

    device.restart();
    assertThat(device.getState().credentials()).as("recovered from its events").isEmpty();

    device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.Decommission("ada", replyTo));
    var refused = device.<RegistryReply>runCommand(replyTo -> new DeviceEntity.IssueCredential("hash-4", 0, "ada", replyTo));
    assertThat(refused.reply()).isEqualTo(new RegistryReply.Refused(ErrorCode.DEVICE_DECOMMISSIONED,
        "device 'pump-7' was decommissioned"));
    var unknown = EventSourcedBehaviorTestKit.<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State>create(
        TEST_KIT.system(), DeviceEntity.create("pump-8", clock, published::add));
    assertThat(unknown.<RegistryReply>runCommand(replyTo -> new DeviceEntity.RevokeCredentials("ada", replyTo)).reply())
        .isInstanceOf(RegistryReply.Refused.class);
  }
}
