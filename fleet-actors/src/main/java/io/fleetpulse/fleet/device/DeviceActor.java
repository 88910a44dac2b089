package io.fleetpulse.fleet.device;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.pool.InferenceReply;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One device of the fleet: a Cluster Sharding entity, started by the device's first message and
 * passivated when idle. It decides on each telemetry message (new, duplicate, too old), keeps the
 * device's aggregates and recent readings, and tells the {@link FleetDirectory} when the device
 * comes online or goes offline after its profile's inactivity timeout. The entity learns its
 * identity and profile from the first message that reaches it.
 *
 * <p>Replies: {@link Ingest} gets an {@link IngestOutcome}; {@link GetView} gets a {@link ViewReply}.
 */
public final class DeviceActor extends AbstractBehavior<DeviceActor.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Device");

  public sealed interface Command extends CborSerializable
      permits Ingest, RecordRejection, GetView, InactivityCheck, InferenceAnswered {}

  /** A validated telemetry message; answered once the device has decided on it. */
  public record Ingest(Telemetry telemetry, ActorRef<IngestOutcome> replyTo) implements Command {}

  /** The gateway rejected one of this device's messages before it got here. */
  public record RecordRejection(DeviceIdentity device, RejectReason reason) implements Command {}

  public record GetView(ActorRef<ViewReply> replyTo) implements Command {}

  /** The device's state, or null when it has sent nothing since its actor started. */
  public record ViewReply(String deviceId, DeviceView view) implements CborSerializable {}

  enum InactivityCheck implements Command {
    INSTANCE
  }

  /** The pool answered a window this actor sent (pipeToSelf). */
  private record InferenceAnswered(String model, long sequence, InferenceReply reply) implements Command {}

  private final String deviceId;
  private final DeviceProfiles profiles;
  private final FleetSettings.Device settings;
  private final ActorRef<FleetDirectory.Command> directory;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final Inference inference;
  private DeviceState state;
  private boolean online;

  public static Behavior<Command> create(
      String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, Clock clock, Inference inference) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(
            timers -> new DeviceActor(context, deviceId, profiles, settings, directory, timers, clock, inference)));
  }

  private DeviceActor(
      ActorContext<Command> context, String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, TimerScheduler<Command> timers, Clock clock, Inference inference) {
    super(context);
    this.inference = inference;
    this.deviceId = deviceId;
    this.profiles = profiles;
    this.settings = settings;
    this.directory = directory;
    this.timers = timers;
    this.clock = clock;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Ingest.class, this::onIngest)
        .onMessage(RecordRejection.class, this::onRecordRejection)
        .onMessage(GetView.class, this::onGetView)
        .onMessageEquals(InactivityCheck.INSTANCE, this::onInactivityCheck)
        .onMessage(InferenceAnswered.class, this::onInferenceAnswered)
        .build();
  }

  private Behavior<Command> onIngest(Ingest command) {
    Telemetry telemetry = command.telemetry();
    DeviceState current = stateFor(telemetry.device());
    IngestOutcome outcome = current.ingest(telemetry);
    if (outcome instanceof IngestOutcome.Accepted) {
      markOnline();
      requestInferences(current, telemetry.sequence());
    }
    getContext().getLog().trace("device {} seq {}: {}", deviceId, telemetry.sequence(), outcome);
    command.replyTo().tell(outcome);
    return this;
  }

  private Behavior<Command> onRecordRejection(RecordRejection command) {
    stateFor(command.device()).recordRejection(command.reason());
    return this;
  }

  private Behavior<Command> onGetView(GetView command) {
    command.replyTo().tell(
        new ViewReply(deviceId, state == null ? null : state.view(online, settings.recentReadings())));
    return this;
  }

  private Behavior<Command> onInactivityCheck() {
    if (!online || state == null) {
      return this;
    }
    Duration timeout = profiles.get(state.identity().profile()).inactivityTimeout();
    long silentFor = clock.millis() - state.lastSeenMillis();
    if (silentFor >= timeout.toMillis()) {
      online = false;
      directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, state.identity().site(), false));
      getContext().getLog().debug("device {} offline after {} ms of silence", deviceId, silentFor);
    } else {
      timers.startSingleTimer(InactivityCheck.INSTANCE, Duration.ofMillis(timeout.toMillis() - silentFor));
    }
    return this;
  }

  private void requestInferences(DeviceState current, long sequence) {
    Lane lane = laneOf(profiles.get(current.identity().profile()).networkSlice());
    for (DeviceState.InferenceRequest request : current.dueInferences()) {
      getContext().pipeToSelf(inference.infer(request.model(), lane, request.values()), (reply, failure) ->
          new InferenceAnswered(request.model(), sequence, failure == null ? reply
              : new InferenceReply.Failed(request.model(), "pool.unavailable", failure.toString())));
    }
  }

  private Behavior<Command> onInferenceAnswered(InferenceAnswered answer) {
    if (state != null) {
      state.inferenceAnswered(answer.model(), answer.reply(), clock.millis(), answer.sequence());
    }
    return this;
  }

  static Lane laneOf(NetworkSlice slice) {
    return switch (slice) {
      case URLLC -> Lane.URLLC;
      case EMBB -> Lane.EMBB;
      case MMTC -> Lane.MMTC;
    };
  }

  /** Creates the state on first contact, and anew when the device was re-registered. */
  private DeviceState stateFor(DeviceIdentity identity) {
    if (state == null || !state.identity().equals(identity)) {
      boolean movedWhileOnline = state != null && online && !state.identity().site().equals(identity.site());
      if (state != null) {
        getContext().getLog().info("device {} re-registered as {}; its aggregates start afresh", deviceId, identity);
      }
      DeviceProfile profile = profiles.get(identity.profile());
      state = new DeviceState(identity, profile, settings);
      if (movedWhileOnline) {
        // markOnline only reports changes of status; without this the directory would count the
        // device at its old site until it next went offline.
        directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, identity.site(), true));
      }
    }
    return state;
  }

  private void markOnline() {
    if (!online) {
      online = true;
      directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, state.identity().site(), true));
    }
    // One pending check at a time: when it fires it re-arms for the remaining silence budget, so
    // a busy device costs no timer work per message.
    if (!timers.isTimerActive(InactivityCheck.INSTANCE)) {
      timers.startSingleTimer(
          InactivityCheck.INSTANCE, profiles.get(state.identity().profile()).inactivityTimeout());
    }
  }
}
