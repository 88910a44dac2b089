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
 * <p>States, one behaviour each: {@code AwaitingDevice} (started: the open alerts are being read
 * back, no message of the device yet), {@code Recovering} (its stored telemetry and alerts are
 * being read back; what arrives waits in the stash) and {@code Active} (state and alerts here).
 * Messages the actor sends itself are private to this class.
 *
 * <p>Replies: {@link Ingest} gets an {@link IngestOutcome}; {@link GetView} gets a {@link ViewReply};
 * {@link AcknowledgeAlert} and {@link ClearAlert} get an {@link AlertReply}: the changed alert once
 * it is stored, or the refusal with its code; {@link GetAlerts} gets the open alerts.
 */
public final class DeviceActor {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, "Device");

  public sealed interface Command extends CborSerializable
      permits Ingest, RecordRejection, GetView, AcknowledgeAlert, ClearAlert, GetAlerts, InactivityCheck,
          InferenceAnswered, HistoryRead, AlertsRead, AlertSaved, AlertSettled, RetryHistory, RetryAlerts,
          ReleaseAnomalyReadings, ForgetRecoveredScores, Stop {}

  /** A validated telemetry message; answered once the device has decided on it. */
  public record Ingest(Telemetry telemetry, ActorRef<IngestOutcome> replyTo) implements Command {}

  /** The gateway rejected one of this device's messages before it got here. */
  public record RecordRejection(DeviceIdentity device, RejectReason reason) implements Command {}

  public record GetView(ActorRef<ViewReply> replyTo) implements Command {}

  /** The device's state, or null when it has sent nothing since its actor started. */
  public record ViewReply(String deviceId, DeviceView view) implements CborSerializable {}

  /** An operator acknowledges one of the device's alerts; {@code note} may be null. */
  public record AcknowledgeAlert(UUID alertId, String by, String note, ActorRef<AlertReply> replyTo)
      implements Command {}

  /** An operator clears one of the device's alerts; {@code note} may be null. */
  public record ClearAlert(UUID alertId, String by, String note, ActorRef<AlertReply> replyTo)
      implements Command {}

  public record GetAlerts(ActorRef<AlertsReply> replyTo) implements Command {}

  /** The device's alerts not yet cleared and acknowledged, oldest first. */
  public record AlertsReply(String deviceId, List<Alert> open) implements CborSerializable {}

  // What the actor tells itself: timers and completions piped back (never sent by others).

  /** The device may have been silent past its profile's inactivity timeout. */
  private enum InactivityCheck implements Command {
    INSTANCE
  }

  /** The pool answered a window this actor sent. */
  private record InferenceAnswered(String model, long windowEndMillis, long sequence, InferenceReply reply)
      implements Command {}

  /** The stored telemetry came back; exactly one of the two is null. */
  private record HistoryRead(List<Telemetry> messages, String failure, long startedNanos) implements Command {}

  /** The stored open alerts came back; exactly one of the two is null. */
  private record AlertsRead(List<Alert> alerts, String failure) implements Command {}

  /** An operator's change was stored, or not. */
  private record AlertSaved(AlertChange change, ActorRef<AlertReply> replyTo, String failure) implements Command {}

  /** A change the rules made was stored, or not ({@code failure} non-null: the store gave up). */
  private record AlertSettled(AlertChange change, String failure) implements Command {}

  /**
   * Sharding's stop message (passivation, rebalance, a node leaving): the actor stops once every
   * alert change it made is stored, so the device's next actor, wherever it starts, reads them
   * back instead of raising a second alert for a condition this one already raised. Meanwhile the
   * shard holds the device's messages.
   */
  private enum Stop implements Command {
    INSTANCE
  }

  /** What sharding sends a device actor to stop it ({@code Entity.withStopMessage}). */
  public static Command stopMessage() {
    return Stop.INSTANCE;
  }

  /** Read the stored telemetry again after a failed read. */
  private enum RetryHistory implements Command {
    INSTANCE
  }

  /** Read the stored open alerts again after a failed read. */
  private enum RetryAlerts implements Command {
    INSTANCE
  }

  /** Messages waiting for a missing one before their anomaly scoring may have waited long enough. */
  private enum ReleaseAnomalyReadings implements Command {
    INSTANCE
  }

  /** The recovered messages' redeliveries are over: their kept anomaly scores go (see DeviceState). */
  private enum ForgetRecoveredScores implements Command {
    INSTANCE
  }

  /** How long after recovery the live delivery of a recovered message still stores its anomaly scores. */
  private static final Duration RECOVERED_SCORES_KEPT = Duration.ofSeconds(30);

  // What every behaviour of one device shares. The behaviours below are the actor's states; each
  // holds only its own data, and dispatches with code shared by all actors (not a ReceiveBuilder:
  // that builds a handler table per actor, about 0.8 KB, a tenth of a resident device).

  private final ActorContext<Command> context;
  private final String deviceId;
  private final DeviceProfiles profiles;
  private final FleetSettings.Device settings;
  private final ActorRef<FleetDirectory.Command> directory;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final Inference inference;
  private final DeviceStorage storage;
  private final StashBuffer<Command> stash;
  /** Reads of storage that failed so far: the back-off before the next grows with them. */
  private int failedReads;
  /** Alert changes sent to the store and not yet settled (stored, or given up by the store). */
  private int alertSavesInFlight;
  private long stashOverflows;

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
                    storage).starting())));
  }

  private DeviceActor(
      ActorContext<Command> context, String deviceId, DeviceProfiles profiles, FleetSettings.Device settings,
      ActorRef<FleetDirectory.Command> directory, TimerScheduler<Command> timers, StashBuffer<Command> stash, Clock clock,
      Inference inference, DeviceStorage storage) {
    this.context = context;
    this.inference = inference;
    this.storage = storage;
    this.stash = stash;
    this.deviceId = deviceId;
    this.profiles = profiles;
    this.settings = settings;
    this.directory = directory;
    this.timers = timers;
    this.clock = clock;
  }

  /** A started actor reads the device's open alerts back at once: every state needs them. */
  private Behavior<Command> starting() {
    readAlerts();
    return new AwaitingDevice(null);
  }

  /**
   * No message of the device yet, so which telemetry to read back is unknown. Operators' commands
   * need only the alerts: they are answered once those are read back, without waiting for telemetry.
   */
  private final class AwaitingDevice extends AbstractMatchingBehavior<Command> {
    /** Null until read back. */
    private final DeviceAlerts alerts;

    AwaitingDevice(DeviceAlerts alerts) {
      super(context);
      this.alerts = alerts;
    }

    @Override
    public Behavior<Command> onMessage(Command command) {
      if (command instanceof Ingest ingest) {
        return recover(ingest.telemetry().device(), command);
      } else if (command instanceof RecordRejection rejection) {
        return recover(rejection.device(), command);
      } else if (command instanceof GetView view) {
        view.replyTo().tell(new ViewReply(deviceId, null));
        return this;
      } else if (command instanceof AlertsRead read) {
        DeviceAlerts loaded = alertsRead(read);
        return loaded == null ? this : stash.unstashAll(new AwaitingDevice(loaded));
      } else if (command == RetryAlerts.INSTANCE) {
        readAlerts();
        return this;
      } else if (isAlertCommand(command)) {
        return alerts == null ? stashed(command, this) : onAlertCommand(alerts, command, this);
      } else if (command == Stop.INSTANCE) {
        return stopping(this);
      }
      // Timers and answers of an earlier incarnation's state: nothing here for them.
      return this;
    }

    private Behavior<Command> recover(DeviceIdentity identity, Command first) {
      readHistory(identity);
      return stashed(first, new Recovering(identity, alerts, null));
    }
  }

  /**
   * Reading the device's stored telemetry back (and its alerts, if they are not in yet) before it
   * decides on anything, so the sequence window recognises the redeliveries of what was stored
   * and nothing is counted twice; what arrives meanwhile waits in the stash. A read that fails is
   * retried with back-off rather than starting with an empty window.
   */
  private final class Recovering extends AbstractMatchingBehavior<Command> {
    private final DeviceIdentity identity;
    /** Null until read back. */
    private final DeviceAlerts alerts;
    /** Null until the stored telemetry is read back and replayed. */
    private final DeviceState state;

    Recovering(DeviceIdentity identity, DeviceAlerts alerts, DeviceState state) {
      super(context);
      this.identity = identity;
      this.alerts = alerts;
      this.state = state;
    }

    @Override
    public Behavior<Command> onMessage(Command command) {
      if (command instanceof HistoryRead read) {
        DeviceState recovered = historyRead(identity, read);
        return recovered == null ? this : progressed(alerts, recovered);
      } else if (command == RetryHistory.INSTANCE) {
        readHistory(identity);
        return this;
      } else if (command instanceof AlertsRead read) {
        DeviceAlerts loaded = alertsRead(read);
        return loaded == null ? this : progressed(loaded, state);
      } else if (command == RetryAlerts.INSTANCE) {
        readAlerts();
        return this;
      } else if (alerts != null && isAlertCommand(command)) {
        return onAlertCommand(alerts, command, this);
      } else if (command == Stop.INSTANCE) {
        return stopping(this);
      }
      return stashed(command, this);
    }

    @Override
    public Behavior<Command> onSignal(Signal signal) {
      if (!(signal instanceof PostStop)) {
        return Behaviors.unhandled(); // PoisonPill (sharding's passivation) stops the actor
      }
      if (state != null) {
        state.closeRollups();
      }
      return this;
    }

    private Behavior<Command> progressed(DeviceAlerts alerts, DeviceState state) {
      if (alerts == null || state == null) {
        return new Recovering(identity, alerts, state);
      }
      Active active = new Active(state, alerts);
      active.recovered();
      return stash.unstashAll(active);
    }
  }

  /** The device's state and alerts are here: every command is decided at once. */
  private final class Active extends AbstractMatchingBehavior<Command> {
    private final DeviceAlerts alerts;
    private DeviceState state;
    private boolean online;

    Active(DeviceState state, DeviceAlerts alerts) {
      super(context);
      this.state = state;
      this.alerts = alerts;
    }

    @Override
    public Behavior<Command> onMessage(Command command) {
      if (command instanceof Ingest ingest) {
        onIngest(ingest);
      } else if (command instanceof InferenceAnswered answer) {
        state.inferenceAnswered(answer.model(), answer.reply(), clock.millis(), answer.windowEndMillis(), answer.sequence());
        raiseAlerts(state.drainSignals());
        requestInferences();
      } else if (command == InactivityCheck.INSTANCE) {
        onInactivityCheck();
      } else if (command == ReleaseAnomalyReadings.INSTANCE) {
        state.releaseAnomalyReadings(clock.millis());
        raiseAlerts(state.drainSignals());
        scheduleAnomalyRelease();
      } else if (command instanceof RecordRejection rejection) {
        stateFor(rejection.device()).recordRejection(rejection.reason());
      } else if (command instanceof GetView view) {
        view.replyTo().tell(new ViewReply(deviceId, state.view(online, settings.recentReadings())));
      } else if (command == ForgetRecoveredScores.INSTANCE) {
        state.forgetRecoveredScores();
      } else if (isAlertCommand(command)) {
        return onAlertCommand(alerts, command, this);
      } else if (command == Stop.INSTANCE) {
        return stopping(this);
      }
      // Reads and their retries of the recovery just finished: nothing left to do.
      return this;
    }

    @Override
    public Behavior<Command> onSignal(Signal signal) {
      if (!(signal instanceof PostStop)) {
        return Behaviors.unhandled(); // PoisonPill (sharding's passivation) stops the actor
      }
      state.closeRollups();
      return this;
    }

    /** Just recovered: the alerts made to agree with the recovered readings, the timers the state needs. */
    void recovered() {
      reconcileAlerts();
      scheduleAnomalyRelease(); // read-back messages waiting for one whose store had not completed
      if (state.keepsRecoveredScores()) {
        timers.startSingleTimer(ForgetRecoveredScores.INSTANCE, RECOVERED_SCORES_KEPT);
      }
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
          alerts.apply(holding, state.identity().site(), now).ifPresent(DeviceActor.this::save);
        }
      }
      for (Alert alert : alerts.open()) {
        if (alert.status().active() && state.alertRules().governs(alert.type())
            && state.alertRules().observed(alert.type()) && !state.alertRules().holds(alert.type())) {
          alerts.apply(new AlertSignal.Resolved(alert.type(), Double.NaN, now,
              "the readings recovered after a restart no longer meet the condition"), alert.site(), now)
              .ifPresent(DeviceActor.this::save);
        }
      }
    }

    private void onIngest(Ingest command) {
      Telemetry telemetry = command.telemetry();
      DeviceState current = stateFor(telemetry.device());
      IngestOutcome outcome = current.ingest(telemetry, clock.millis());
      if (outcome instanceof IngestOutcome.Accepted) {
        markOnline();
        raiseAlerts(current.drainSignals());
        requestInferences();
        scheduleAnomalyRelease();
      }
      context.getLog().trace("device {} seq {}: {}", deviceId, telemetry.sequence(), outcome);
      command.replyTo().tell(outcome);
    }

    /** Applies the rules' signals of the latest message or answer to the alerts, saving each change. */
    private void raiseAlerts(List<AlertSignal> signals) {
      if (signals.isEmpty()) {
        return;
      }
      long now = clock.millis();
      for (AlertSignal signal : signals) {
        alerts.apply(signal, state.identity().site(), now).ifPresent(DeviceActor.this::save);
      }
    }

    private void scheduleAnomalyRelease() {
      if (!timers.isTimerActive(ReleaseAnomalyReadings.INSTANCE)) {
        state.anomalyReleaseDelayMillis().ifPresent(delay ->
            timers.startSingleTimer(ReleaseAnomalyReadings.INSTANCE, Duration.ofMillis(delay)));
      }
    }

    private void onInactivityCheck() {
      if (!online) {
        return;
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
        context.getLog().debug("device {} offline after {} ms of silence", deviceId, silentFor);
      } else {
        timers.startSingleTimer(InactivityCheck.INSTANCE, Duration.ofMillis(timeout.toMillis() - silentFor));
      }
    }

    private void requestInferences() {
      Lane lane = laneOf(profiles.get(state.identity().profile()).networkSlice());
      for (DeviceState.InferenceRequest request : state.dueInferences()) {
        context.pipeToSelf(inference.infer(request.model(), lane, request.values()), (reply, failure) ->
            new InferenceAnswered(request.model(), request.endTimestampMillis(), request.endSequence(), failure == null
                ? reply
                : new InferenceReply.Failed(request.model(), InferenceReply.Failed.POOL_UNAVAILABLE, failure.toString())));
      }
    }

    /** The state of this identity: a new one when the device was re-registered (profile or site changed). */
    private DeviceState stateFor(DeviceIdentity identity) {
      if (state.identity().equals(identity)) {
        return state;
      }
      boolean movedWhileOnline = online && !state.identity().site().equals(identity.site());
      context.getLog().info("device {} re-registered as {}; its aggregates start afresh", deviceId, identity);
      state.closeRollups();
      state = new DeviceState(identity, profiles.get(identity.profile()), settings, storage.records());
      storage.records().deviceSeen(identity, clock.millis());
      if (movedWhileOnline) {
        // markOnline only reports changes of status; without this the directory would count the
        // device at its old site until it next went offline.
        directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, identity.site(), true));
      }
      return state;
    }

    private void markOnline() {
      if (!online) {
        online = true;
        directory.tell(new FleetDirectory.DeviceStatusChanged(deviceId, state.identity().site(), true));
        raiseAlerts(List.of(new AlertSignal.Resolved(DeviceProfile.OFFLINE_ALERT, 0, clock.millis(),
            "the device sent a message")));
      }
      // One pending check at a time: when it fires it re-arms for the remaining silence budget, so
      // a busy device costs no timer work per message.
      if (!timers.isTimerActive(InactivityCheck.INSTANCE)) {
        timers.startSingleTimer(InactivityCheck.INSTANCE, profiles.get(state.identity().profile()).inactivityTimeout());
      }
    }
  }

  // Reads of storage, shared by the states that wait for them.

  private void readAlerts() {
    context.pipeToSelf(storage.alerts().open(deviceId), (open, failure) -> failure == null
        ? new AlertsRead(open, null) : new AlertsRead(null, String.valueOf(failure)));
  }

  /** The alerts read back, or null when the read failed (and a retry is scheduled). */
  private DeviceAlerts alertsRead(AlertsRead read) {
    if (read.failure() != null) {
      retryLater(RetryAlerts.INSTANCE, "its open alerts", read.failure());
      return null;
    }
    DeviceAlerts alerts = new DeviceAlerts(deviceId, UUID::randomUUID);
    alerts.restore(read.alerts());
    return alerts;
  }

  private void readHistory(DeviceIdentity identity) {
    long since = clock.millis() - settings.recovery().lookback().toMillis();
    // The model windows need the ring's messages back whatever their age (a turbofan reports one
    // cycle per flight, hours or days apart); the time windows need the lookback's.
    int needed = Math.min(profiles.get(identity.profile()).ringBufferSize(), settings.recovery().maxMessages());
    long started = System.nanoTime();
    context.pipeToSelf(
        storage.history().recent(identity, since, needed, settings.recovery().maxMessages()),
        (messages, failure) -> failure == null
            ? new HistoryRead(messages, null, started)
            : new HistoryRead(null, String.valueOf(failure), started));
  }

  /** The state rebuilt from the stored telemetry, or null when the read failed (and a retry is scheduled). */
  private DeviceState historyRead(DeviceIdentity identity, HistoryRead read) {
    if (read.failure() != null) {
      retryLater(RetryHistory.INSTANCE, "its stored telemetry", read.failure());
      return null;
    }
    DeviceState state = new DeviceState(identity, profiles.get(identity.profile()), settings, storage.records());
    int applied = 0;
    long now = clock.millis();
    for (Telemetry telemetry : read.messages()) {
      if (state.recover(telemetry, now)) {
        applied++;
      }
    }
    storage.records().deviceSeen(identity, clock.millis());
    if (applied > 0) {
      context.getLog().debug("device {} recovered from {} stored messages in {} ms", deviceId, applied,
          (System.nanoTime() - read.startedNanos()) / 1_000_000);
    }
    return state;
  }

  private void retryLater(Command retry, String what, String failure) {
    Duration wait = settings.recovery().backoff().delay(++failedReads);
    context.getLog().warn("device {}: cannot read {} ({}); retrying in {}", deviceId, what, failure, wait);
    timers.startSingleTimer(retry, wait);
  }

  /** Holds a command until the state it needs is here; a full stash leaves it unanswered. */
  private <B extends Behavior<Command>> B stashed(Command command, B current) {
    if (stash.isFull()) {
      // Unanswered, the gateway retries it after its ask timeout; nothing is acknowledged meanwhile.
      stashOverflows++;
      if (Long.bitCount(stashOverflows) == 1) {
        context.getLog().warn("device {} still recovering; {} commands refused so far (stash of {} full)",
            deviceId, stashOverflows, stash.capacity());
      }
    } else {
      stash.stash(command);
    }
    return current;
  }

  // Operators' commands: they need the alerts only.

  private static boolean isAlertCommand(Command command) {
    return command instanceof AcknowledgeAlert || command instanceof ClearAlert || command instanceof GetAlerts
        || command instanceof AlertSaved || command instanceof AlertSettled;
  }

  /** Serves an operator's command or the stored outcome of one; the behaviour stays as it is. */
  private <B extends Behavior<Command>> B onAlertCommand(DeviceAlerts alerts, Command command, B current) {
    long now = clock.millis();
    if (command instanceof AcknowledgeAlert acknowledge) {
      decided(alerts.acknowledge(acknowledge.alertId(), acknowledge.by(), acknowledge.note(), now), acknowledge.replyTo());
    } else if (command instanceof ClearAlert clear) {
      decided(alerts.clear(clear.alertId(), clear.by(), clear.note(), now), clear.replyTo());
    } else if (command instanceof GetAlerts get) {
      get.replyTo().tell(new AlertsReply(deviceId, alerts.open()));
    } else if (command instanceof AlertSaved saved) {
      onAlertSaved(saved);
    } else if (command instanceof AlertSettled settled) {
      onAlertSettled(settled);
    }
    return current;
  }

  /** A refused command is answered at once; an applied one once its change is stored. */
  private void decided(DeviceAlerts.Decision decision, ActorRef<AlertReply> replyTo) {
    if (decision instanceof DeviceAlerts.Decision.Refused refused) {
      replyTo.tell(new AlertReply.Refused(refused.code(), refused.message()));
      return;
    }
    AlertChange change = ((DeviceAlerts.Decision.Changed) decision).change();
    alertSavesInFlight++;
    context.pipeToSelf(storage.alerts().save(change), (done, failure) ->
        new AlertSaved(change, replyTo, failure == null ? null : String.valueOf(failure)));
  }

  private void onAlertSaved(AlertSaved saved) {
    alertSavesInFlight--;
    if (saved.failure() != null) {
      saved.replyTo().tell(new AlertReply.Refused(ErrorCode.ALERT_STORE_UNAVAILABLE, "the change to alert "
          + saved.change().alert().alertId() + " is applied here but could not be stored: " + saved.failure()));
    } else {
      saved.replyTo().tell(new AlertReply.Changed(saved.change().alert()));
    }
  }

  /** Saves a change the rules made; the store retries, and says when the change settled. */
  private void save(AlertChange change) {
    context.getLog().debug("device {} alert {} {} {}", deviceId, change.alert().type(), change.alert().status(),
        change.alert().severity());
    alertSavesInFlight++;
    context.pipeToSelf(storage.alerts().save(change), (done, failure) ->
        new AlertSettled(change, failure == null ? null : String.valueOf(failure)));
  }

  private void onAlertSettled(AlertSettled settled) {
    alertSavesInFlight--;
    if (settled.failure() != null) {
      context.getLog().warn("device {}: alert {} ({}) not stored: {}", deviceId, settled.change().alert().alertId(),
          settled.change().alert().status(), settled.failure());
    }
  }

  /**
   * Stops now when no alert change is on its way to the store, else once the last one settled:
   * until then only those answers are taken (sharding holds the device's other messages).
   */
  private Behavior<Command> stopping(Behavior<Command> current) {
    if (alertSavesInFlight == 0) {
      return Behaviors.stopped();
    }
    context.getLog().debug("device {} stops after {} alert changes are stored", deviceId, alertSavesInFlight);
    return new Stopping(current);
  }

  /** Waiting for its alert changes to be stored before it stops; PostStop is the state's it stopped in. */
  private final class Stopping extends AbstractMatchingBehavior<Command> {
    private final Behavior<Command> stoppedFrom;

    Stopping(Behavior<Command> stoppedFrom) {
      super(context);
      this.stoppedFrom = stoppedFrom;
    }

    @Override
    public Behavior<Command> onMessage(Command command) {
      if (command instanceof AlertSaved saved) {
        onAlertSaved(saved);
      } else if (command instanceof AlertSettled settled) {
        onAlertSettled(settled);
      }
      return alertSavesInFlight == 0 ? Behaviors.stopped() : this;
    }

    @Override
    public Behavior<Command> onSignal(Signal signal) throws Exception {
      return stoppedFrom instanceof AbstractMatchingBehavior<Command> state ? state.onSignal(signal) : Behaviors.unhandled();
    }
  }

  static Lane laneOf(NetworkSlice slice) {
    return switch (slice) {
      case URLLC -> Lane.URLLC;
      case EMBB -> Lane.EMBB;
      case MMTC -> Lane.MMTC;
    };
  }
}
