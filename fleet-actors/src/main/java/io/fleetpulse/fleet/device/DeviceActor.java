package io.fleetpulse.fleet.device;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertReply;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.NetworkSlice;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.alert.AlertSignal;
import io.fleetpulse.fleet.alert.DeviceAlerts;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.AbstractMatchingBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One device of the fleet: a Cluster Sharding entity, started by the device's first message and
 * passivated when idle. It decides on each telemetry message (new, duplicate, too old), keeps the
 * device's aggregates and recent readings, and tells the {@link FleetDirectory} when the device
 * comes online or goes offline after its profile's inactivity timeout. The entity learns its
 * identity and profile from the first message that reaches it.
 *
 * <p>Recovery: before it decides on anything, a starting actor (first message ever, or after a
 * crash, a passivation or a rebalance to another node) reads the device's recent stored telemetry
 * back and replays it into a fresh {@link DeviceState}, stashing what arrives meanwhile. Telemetry
 * is stored before it reaches the actor, so the replay already contains every message the
 * gateway acknowledged, and those the broker is about to redeliver: the sequence window
 * recognises them ({@link SequenceWindow.Verdict#RECOVERED}) so nothing is counted twice. When
 * storage cannot be read the actor keeps stashing and retries with back-off rather than start
 * with an empty window that would accept redeliveries as new.
 *
 * <p>Alerts: the profile's rules see every applied reading and prediction; their signals raise,
 * update and resolve the device's alerts ({@link DeviceAlerts}), and a device silent past its
 * profile's inactivity timeout gets an offline alert that its next message resolves. Every change
 * is saved to the {@link io.fleetpulse.api.alert.AlertStore}; a starting actor reads the open
 * alerts back first, so a restart neither forgets an alert nor raises a second one. Operators'
 * commands need only the alerts: they do not wait for the telemetry to be read back.
 *
 * <p>Replies: {@link Ingest} gets an {@link IngestOutcome}; {@link GetView} gets a {@link ViewReply};
 * {@link AcknowledgeAlert} and {@link ClearAlert} get an {@link AlertReply}: the changed alert once
 * it is stored, or the refusal with its code; {@link GetAlerts} gets the open alerts.
 */
public final class DeviceActor extends AbstractMatchingBehavior<DeviceActor.Command> {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DeviceActor.class);

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Device");

  public sealed interface Command extends CborSerializable
      permits Ingest, RecordRejection, GetView, InactivityCheck, InferenceAnswered, HistoryRead, RetryRecovery,
          AcknowledgeAlert, ClearAlert, GetAlerts, AlertsRead, AlertSaved, ReleaseAnomalyReadings,
          ForgetRecoveredScores {}

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
  private record InferenceAnswered(String model, long windowEndMillis, long sequence, InferenceReply reply)
      implements Command {}

  /** The stored telemetry came back (pipeToSelf); exactly one of the two is null. */
  private record HistoryRead(DeviceIdentity identity, java.util.List<Telemetry> messages, String failure, long startedNanos)
      implements Command {}

  enum RetryRecovery implements Command {
    INSTANCE
  }

  /** Messages waiting for a missing one before their anomaly scoring may have waited long enough. */
  enum ReleaseAnomalyReadings implements Command {
    INSTANCE
  }

  /** The recovered messages' redeliveries are over: their kept anomaly scores go (see DeviceState). */
  enum ForgetRecoveredScores implements Command {
    INSTANCE
  }

  /** How long after recovery the live delivery of a recovered message still stores its anomaly scores. */
  private static final Duration RECOVERED_SCORES_KEPT = Duration.ofSeconds(30);

  /** An operator acknowledges one of the device's alerts; {@code note} may be null. */
  public record AcknowledgeAlert(UUID alertId, String by, String note, ActorRef<AlertReply> replyTo)
      implements Command {}

  /** An operator clears one of the device's alerts; {@code note} may be null. */
  public record ClearAlert(UUID alertId, String by, String note, ActorRef<AlertReply> replyTo)
      implements Command {}

  public record GetAlerts(ActorRef<AlertsReply> replyTo) implements Command {}

  /** The device's alerts not yet cleared and acknowledged, oldest first. */
  public record AlertsReply(String deviceId, List<Alert> open) implements CborSerializable {}

  /** The stored open alerts came back (pipeToSelf); exactly one of the two is null. */
  private record AlertsRead(List<Alert> alerts, String failure) implements Command {}

  /** An operator's change was stored, or not (pipeToSelf). */
  private record AlertSaved(AlertChange change, ActorRef<AlertReply> replyTo, String failure)
      implements Command {}

  private enum Phase {
    /** No message yet: the identity to recover is unknown. */
    NEW,
    /** Reading stored telemetry back; commands wait in the stash. */
    RECOVERING,
    ACTIVE
  }

  private final String deviceId;
  private final DeviceProfiles profiles;
  private final FleetSettings.Device settings;
  private final ActorRef<FleetDirectory.Command> directory;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final Inference inference;
  private final DeviceStorage storage;
  private final StashBuffer<Command> stash;
  private Phase phase = Phase.NEW;
  private DeviceIdentity recovering;
  private Duration recoveryBackoff;
  private long stashOverflows;
  private DeviceState state;
  private boolean online;
  /** The open alerts; null until read back from the store. */
  private DeviceAlerts alerts;
  private boolean alertsLoading;
  private boolean historyFailed;

  /** A device actor without storage: it starts empty and its records go nowhere. */
  public static Behavior<Command> create(
      String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, Clock clock, Inference inference) {
    return create(deviceId, profiles, settings, directory, clock, inference, DeviceStorage.NONE);
  }

  public static Behavior<Command> create(
      String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, Clock clock, Inference inference, DeviceStorage storage) {
    return Behaviors.setup(
        context -> Behaviors.withTimers(
            timers -> Behaviors.withStash(settings.recovery().stashCapacity(),
                stash -> new DeviceActor(context, deviceId, profiles, settings, directory, timers, stash, clock, inference,
                    storage))));
  }

  private DeviceActor(
      ActorContext<Command> context, String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, TimerScheduler<Command> timers, StashBuffer<Command> stash, Clock clock,
      Inference inference, DeviceStorage storage) {
    super(context);
    this.inference = inference;
    this.storage = storage;
    this.stash = stash;
    this.recoveryBackoff = settings.recovery().retryMinBackoff();
    this.deviceId = deviceId;
    this.profiles = profiles;
    this.settings = settings;
    this.directory = directory;
    this.timers = timers;
    this.clock = clock;
  }

  /**
   * Dispatches on the sealed protocol. Not a {@code ReceiveBuilder}: that builds a handler table
   * for every actor (about 0.8 KB each, a tenth of a resident device), where this code is shared.
   */
  @Override
  public Behavior<Command> onMessage(Command command) {
    if (command instanceof Ingest ingest) {
      return onIngest(ingest);
    } else if (command instanceof RecordRejection rejection) {
      return onRecordRejection(rejection);
    } else if (command instanceof GetView view) {
      return onGetView(view);
    } else if (command == InactivityCheck.INSTANCE) {
      return onInactivityCheck();
    } else if (command instanceof InferenceAnswered answer) {
      return onInferenceAnswered(answer);
    } else if (command instanceof HistoryRead read) {
      return onHistoryRead(read);
    } else if (command == RetryRecovery.INSTANCE) {
      return onRetryRecovery();
    } else if (command == ReleaseAnomalyReadings.INSTANCE) {
      return onReleaseAnomalyReadings();
    } else if (command == ForgetRecoveredScores.INSTANCE) {
      if (state != null) {
        state.forgetRecoveredScores();
      }
      return this;
    } else if (command instanceof AcknowledgeAlert acknowledge) {
      return onAcknowledgeAlert(acknowledge);
    } else if (command instanceof ClearAlert clear) {
      return onClearAlert(clear);
    } else if (command instanceof GetAlerts get) {
      return onGetAlerts(get);
    } else if (command instanceof AlertsRead read) {
      return onAlertsRead(read);
    } else if (command instanceof AlertSaved saved) {
      return onAlertSaved(saved);
    }
    return Behaviors.unhandled();
  }

  @Override
  public Behavior<Command> onSignal(Signal signal) {
    return signal instanceof PostStop ? onPostStop() : Behaviors.unhandled();
  }

  /** True when the command can be handled now; otherwise it was stashed until recovery ends. */
  private boolean ready(Command command, DeviceIdentity identity) {
    if (phase == Phase.ACTIVE) {
      return true;
    }
    if (phase == Phase.NEW && !alertsLoading) {
      startRecovery(identity);
    }
    return stashed(command);
  }

  /** True when the alerts are loaded; otherwise the command waits until they are. */
  private boolean alertsReady(Command command) {
    if (alerts != null) {
      return true;
    }
    if (!alertsLoading) {
      loadAlerts();
    }
    return stashed(command);
  }

  private boolean stashed(Command command) {
    if (stash.isFull()) {
      // Unanswered, the gateway retries it after its ask timeout; nothing is acknowledged meanwhile.
      stashOverflows++;
      if (Long.bitCount(stashOverflows) == 1) {
        getContext().getLog().warn("device {} still recovering; {} commands refused so far (stash of {} full)",
            deviceId, stashOverflows, stash.capacity());
      }
      return false;
    }
    stash.stash(command);
    return false;
  }

  private void loadAlerts() {
    alertsLoading = true;
    getContext().pipeToSelf(storage.alerts().open(deviceId), (open, failure) -> failure == null
        ? new AlertsRead(open, null) : new AlertsRead(null, String.valueOf(failure)));
  }

  private Behavior<Command> onAlertsRead(AlertsRead read) {
    alertsLoading = false;
    if (read.failure() != null) {
      getContext().getLog().warn("device {}: cannot read its open alerts ({}); retrying in {}",
          deviceId, read.failure(), recoveryBackoff);
      scheduleRetry();
      return this;
    }
    alerts = new DeviceAlerts(deviceId, UUID::randomUUID);
    alerts.restore(read.alerts());
    return recoveryProgressed();
  }

  /** Unstashes once what the stashed commands wait for is there: the alerts, and the state when recovering. */
  private Behavior<Command> recoveryProgressed() {
    if (phase == Phase.RECOVERING && (state == null || alerts == null)) {
      return this;
    }
    if (phase == Phase.RECOVERING) {
      phase = Phase.ACTIVE;
      reconcileAlerts();
      if (state != null && state.keepsRecoveredScores()) {
        timers.startSingleTimer(ForgetRecoveredScores.INSTANCE, RECOVERED_SCORES_KEPT);
      }
    }
    return stash.unstashAll(this);
  }

  /**
   * Makes the stored alerts agree with what the rules see in the recovered readings: a condition
   * that holds without an active alert raises one (its readings were stored, but no actor saw
   * them: they came while this one was recovering, or the previous one stopped first), and an
   * active alert whose rule saw its value back to normal is resolved (it ended while no actor was
   * there to resolve it).
   */
  private void reconcileAlerts() {
    long now = clock.millis();
    for (AlertSignal.Triggered holding : state.alertRules().holding()) {
      if (alerts.active(holding.type()).isEmpty()) {
        alerts.apply(holding, state.identity().site(), now).ifPresent(this::save);
      }
    }
    for (Alert alert : alerts.open()) {
      if (alert.status().active() && state.alertRules().governs(alert.type())
          && state.alertRules().observed(alert.type()) && !state.alertRules().holds(alert.type())) {
        alerts.apply(new AlertSignal.Resolved(alert.type(), Double.NaN, now,
            "the readings recovered after a restart no longer meet the condition"), alert.site(), now)
            .ifPresent(this::save);
      }
    }
  }

  private void scheduleRetry() {
    timers.startSingleTimer(RetryRecovery.INSTANCE, recoveryBackoff);
    Duration doubled = recoveryBackoff.multipliedBy(2);
    recoveryBackoff = doubled.compareTo(settings.recovery().retryMaxBackoff()) > 0
        ? settings.recovery().retryMaxBackoff() : doubled;
  }

  private void startRecovery(DeviceIdentity identity) {
    phase = Phase.RECOVERING;
    recovering = identity;
    if (alerts == null && !alertsLoading) {
      loadAlerts();
    }
    long since = clock.millis() - settings.recovery().lookback().toMillis();
    // The model windows need the ring's messages back whatever their age (a turbofan reports one
    // cycle per flight, hours or days apart); the time windows need the lookback's.
    int needed = Math.min(profiles.get(identity.profile()).ringBufferSize(), settings.recovery().maxMessages());
    long started = System.nanoTime();
    getContext().pipeToSelf(
        storage.history().recent(identity, since, needed, settings.recovery().maxMessages()),
        (messages, failure) -> failure == null
            ? new HistoryRead(identity, messages, null, started)
            : new HistoryRead(identity, null, String.valueOf(failure), started));
  }

  private Behavior<Command> onHistoryRead(HistoryRead read) {
    if (read.failure() != null) {
      getContext().getLog().warn("device {}: cannot read its stored telemetry ({}); retrying in {}",
          deviceId, read.failure(), recoveryBackoff);
      historyFailed = true;
      scheduleRetry();
      return this;
    }
    state = new DeviceState(read.identity(), profiles.get(read.identity().profile()), settings, storage.records());
    int applied = 0;
    long now = clock.millis();
    for (Telemetry telemetry : read.messages()) {
      if (state.recover(telemetry, now)) {
        applied++;
      }
    }
    scheduleAnomalyRelease(state); // read-back messages waiting for one whose store had not completed
    storage.records().deviceSeen(read.identity(), clock.millis());
    if (applied > 0) {
      getContext().getLog().debug("device {} recovered from {} stored messages in {} ms", deviceId, applied,
          (System.nanoTime() - read.startedNanos()) / 1_000_000);
    }
    return recoveryProgressed();
  }

  private Behavior<Command> onRetryRecovery() {
    if (phase == Phase.RECOVERING && historyFailed) {
      historyFailed = false;
      startRecovery(recovering);
    } else if (alerts == null && !alertsLoading) {
      loadAlerts();
    }
    return this;
  }

  private Behavior<Command> onAcknowledgeAlert(AcknowledgeAlert command) {
    if (!alertsReady(command)) {
      return this;
    }
    decided(alerts.acknowledge(command.alertId(), command.by(), command.note(), clock.millis()), command.replyTo());
    return this;
  }

  private Behavior<Command> onClearAlert(ClearAlert command) {
    if (!alertsReady(command)) {
      return this;
    }
    decided(alerts.clear(command.alertId(), command.by(), command.note(), clock.millis()), command.replyTo());
    return this;
  }

  /** A refused command is answered at once; an applied one once its change is stored. */
  private void decided(DeviceAlerts.Decision decision, ActorRef<AlertReply> replyTo) {
    if (decision instanceof DeviceAlerts.Decision.Refused refused) {
      replyTo.tell(new AlertReply.Refused(refused.code(), refused.message()));
      return;
    }
    AlertChange change = ((DeviceAlerts.Decision.Changed) decision).change();
    getContext().pipeToSelf(storage.alerts().save(change), (done, failure) ->
        new AlertSaved(change, replyTo, failure == null ? null : String.valueOf(failure)));
  }

  private Behavior<Command> onAlertSaved(AlertSaved saved) {
    if (saved.failure() != null) {
      saved.replyTo().tell(new AlertReply.Refused(ErrorCode.ALERT_STORE_UNAVAILABLE, "the change to alert "
          + saved.change().alert().alertId() + " is applied here but could not be stored: " + saved.failure()));
    } else {
      saved.replyTo().tell(new AlertReply.Changed(saved.change().alert()));
    }
    return this;
  }

  private Behavior<Command> onGetAlerts(GetAlerts command) {
    if (!alertsReady(command)) {
      return this;
    }
    command.replyTo().tell(new AlertsReply(deviceId, alerts.open()));
    return this;
  }

  /** Applies the rules' signals of the latest message or answer to the alerts, saving each change. */
  private void raiseAlerts(List<AlertSignal> signals) {
    if (signals.isEmpty()) {
      return;
    }
    long now = clock.millis();
    for (AlertSignal signal : signals) {
      alerts.apply(signal, state.identity().site(), now).ifPresent(this::save);
    }
  }

  private void save(AlertChange change) {
    getContext().getLog().debug("device {} alert {} {} {}", deviceId, change.alert().type(), change.alert().status(),
        change.alert().severity());
    // The store retries; what still fails is logged here, off the actor's thread.
    storage.alerts().save(change).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warn("device {}: alert {} ({}) not stored: {}", deviceId, change.alert().alertId(), change.alert().status(),
            failure.toString());
      }
    });
  }

  private Behavior<Command> onPostStop() {
    if (state != null) {
      state.closeRollups();
    }
    return this;
  }

  private Behavior<Command> onIngest(Ingest command) {
    if (!ready(command, command.telemetry().device())) {
      return this;
    }
    Telemetry telemetry = command.telemetry();
    DeviceState current = stateFor(telemetry.device());
    IngestOutcome outcome = current.ingest(telemetry, clock.millis());
    if (outcome instanceof IngestOutcome.Accepted) {
      markOnline();
      raiseAlerts(current.drainSignals());
      requestInferences(current);
      scheduleAnomalyRelease(current);
    }
    getContext().getLog().trace("device {} seq {}: {}", deviceId, telemetry.sequence(), outcome);
    command.replyTo().tell(outcome);
    return this;
  }

  private void scheduleAnomalyRelease(DeviceState current) {
    if (!timers.isTimerActive(ReleaseAnomalyReadings.INSTANCE)) {
      current.anomalyReleaseDelayMillis().ifPresent(delay ->
          timers.startSingleTimer(ReleaseAnomalyReadings.INSTANCE, Duration.ofMillis(delay)));
    }
  }

  private Behavior<Command> onReleaseAnomalyReadings() {
    if (state != null) {
      state.releaseAnomalyReadings(clock.millis());
      raiseAlerts(state.drainSignals());
      scheduleAnomalyRelease(state);
    }
    return this;
  }

  private Behavior<Command> onRecordRejection(RecordRejection command) {
    if (!ready(command, command.device())) {
      return this;
    }
    stateFor(command.device()).recordRejection(command.reason());
    return this;
  }

  private Behavior<Command> onGetView(GetView command) {
    if (phase == Phase.RECOVERING) {
      ready(command, recovering);
      return this;
    }
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
      state.closeRollups();
      profiles.get(state.identity().profile()).offlineAlert().ifPresent(severity -> raiseAlerts(List.of(
          new AlertSignal.Triggered(DeviceProfile.OFFLINE_ALERT, severity, silentFor / 1000.0, clock.millis(), 1,
              "no message for " + silentFor / 1000 + " s (inactivity timeout " + timeout.toSeconds() + " s)"))));
      directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, state.identity().site(), false));
      getContext().getLog().debug("device {} offline after {} ms of silence", deviceId, silentFor);
    } else {
      timers.startSingleTimer(InactivityCheck.INSTANCE, Duration.ofMillis(timeout.toMillis() - silentFor));
    }
    return this;
  }

  private void requestInferences(DeviceState current) {
    request(current, current.dueInferences());
  }

  private void request(DeviceState current, java.util.List<DeviceState.InferenceRequest> requests) {
    Lane lane = laneOf(profiles.get(current.identity().profile()).networkSlice());
    for (DeviceState.InferenceRequest request : requests) {
      getContext().pipeToSelf(inference.infer(request.model(), lane, request.values()), (reply, failure) ->
          new InferenceAnswered(request.model(), request.endTimestampMillis(), request.endSequence(), failure == null ? reply
              : new InferenceReply.Failed(request.model(), InferenceReply.Failed.POOL_UNAVAILABLE, failure.toString())));
    }
  }

  private Behavior<Command> onInferenceAnswered(InferenceAnswered answer) {
    if (state != null) {
      state.inferenceAnswered(answer.model(), answer.reply(), clock.millis(), answer.windowEndMillis(), answer.sequence());
      raiseAlerts(state.drainSignals());
      request(state, state.dueInferences());
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
      if (state != null) {
        state.closeRollups();
      }
      state = new DeviceState(identity, profile, settings, storage.records());
      storage.records().deviceSeen(identity, clock.millis());
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
      raiseAlerts(List.of(new AlertSignal.Resolved(DeviceProfile.OFFLINE_ALERT, 0, clock.millis(), "the device sent a message")));
    }
    // One pending check at a time: when it fires it re-arms for the remaining silence budget, so
    // a busy device costs no timer work per message.
    if (!timers.isTimerActive(InactivityCheck.INSTANCE)) {
      timers.startSingleTimer(
          InactivityCheck.INSTANCE, profiles.get(state.identity().profile()).inactivityTimeout());
    }
  }
}
