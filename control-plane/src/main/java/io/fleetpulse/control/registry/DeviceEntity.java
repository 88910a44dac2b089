package io.fleetpulse.control.registry;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.RegistryEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One device's registration, the one place it is decided for the whole cluster: a Cluster
 * Sharding entity whose events (registered, moved to a site, profile changed, decommissioned) are
 * the journal in Cassandra, with a snapshot every {@value #SNAPSHOT_EVERY} events. Commands to one
 * device are serialised here, so two operators changing it at once both land, one after the other,
 * in its history. Every change, and the state an entity recovers to when it starts, is handed to
 * {@code publish} for the nodes' registry views ({@link RegistryReplication}).
 */
public final class DeviceEntity extends EventSourcedBehaviorWithEnforcedReplies<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "DeviceRegistration");
  static final int SNAPSHOT_EVERY = 50;

  public sealed interface Command extends CborSerializable permits Register, Decommission {}

  /**
   * Registers the device, or moves it, or changes its profile. {@code autoProvisioned}: the
   * gateway took the device from its first message (an auto-provisioning rule); such a request
   * never changes a device that is already registered.
   */
  public record Register(String site, String profile, Map<String, String> metadata, boolean autoProvisioned, String by,
      ActorRef<RegistryReply> replyTo) implements Command {
    public Register {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
  }

  /** Takes the device out of the fleet: its messages are refused from then on, everywhere. */
  public record Decommission(String by, ActorRef<RegistryReply> replyTo) implements Command {}

  /**
   * What happened to a device. Serialised with Jackson (CBOR); a field added later is optional
   * (absent in older events), and a change that is not is a Jackson migration with a new version.
   */
  public sealed interface Event extends CborSerializable
      permits Registered, MovedToSite, ProfileChanged, MetadataChanged, Decommissioned {
    String by();

    long atMillis();
  }

  /**
   * Version 2 added {@code metadata} (free key-value pairs: serial number, make, location in the
   * plant); version 1 events read back with none ({@link RegisteredMigration}).
   */
  public record Registered(String site, String profile, boolean autoProvisioned, Map<String, String> metadata, String by,
      long atMillis) implements Event {
    public Registered {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
  }

  public record MovedToSite(String site, String by, long atMillis) implements Event {}

  public record ProfileChanged(String profile, String by, long atMillis) implements Event {}

  public record MetadataChanged(Map<String, String> metadata, String by, long atMillis) implements Event {
    public MetadataChanged {
      metadata = Map.copyOf(metadata);
    }
  }

  public record Decommissioned(String by, long atMillis) implements Event {}

  /** The device as its events made it; {@code revision} counts them (the journal's sequence number). */
  public record State(String site, String profile, Map<String, String> metadata, boolean autoProvisioned,
      boolean decommissioned, long revision, long updatedAtMillis) implements CborSerializable {

    static final State NONE = new State(null, null, Map.of(), false, false, 0, 0);

    public State {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    boolean registered() {
      return site != null;
    }

    RegistryEntry entry(String deviceId) {
      return new RegistryEntry(deviceId, site, profile, autoProvisioned, decommissioned, revision, updatedAtMillis);
    }
  }

  private final String deviceId;
  private final Clock clock;
  private final Consumer<RegistryEntry> publish;

  public static Behavior<Command> create(String deviceId, Clock clock, Consumer<RegistryEntry> publish) {
    return Behaviors.setup(context -> new DeviceEntity(deviceId, clock, publish));
  }

  private DeviceEntity(String deviceId, Clock clock, Consumer<RegistryEntry> publish) {
    super(persistenceId(deviceId));
    this.deviceId = deviceId;
    this.clock = clock;
    this.publish = publish;
  }

  /** The journal's id of a device's events. */
  public static PersistenceId persistenceId(String deviceId) {
    return PersistenceId.of(TYPE_KEY.name(), deviceId);
  }

  @Override
  public State emptyState() {
    return State.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Register.class, this::onRegister)
        .onCommand(Decommission.class, this::onDecommission)
        .build();
  }

  private ReplyEffect<Event, State> onRegister(State state, Register command) {
    if (state.decommissioned()) {
      return Effect().reply(command.replyTo(), new RegistryReply.Refused(ErrorCode.DEVICE_DECOMMISSIONED,
          "device '" + deviceId + "' was decommissioned; register it under a new id"));
    }
    long now = clock.millis();
    List<Event> events = new ArrayList<>(2);
    if (!state.registered() || (state.autoProvisioned() && !command.autoProvisioned())) {
      // New, or an operator now registers a device that was taken from its first message.
      events.add(new Registered(command.site(), command.profile(), command.autoProvisioned(), command.metadata(),
          command.by(), now));
    } else if (!command.autoProvisioned()) {
      if (!state.site().equals(command.site())) {
        events.add(new MovedToSite(command.site(), command.by(), now));
      }
      if (!state.profile().equals(command.profile())) {
        events.add(new ProfileChanged(command.profile(), command.by(), now));
      }
      if (!state.metadata().equals(command.metadata())) {
        events.add(new MetadataChanged(command.metadata(), command.by(), now));
      }
    }
    if (events.isEmpty()) {
      return Effect().reply(command.replyTo(), new RegistryReply.Accepted(state.entry(deviceId)));
    }
    return Effect().persist(events)
        .thenRun(changed -> publish.accept(changed.entry(deviceId)))
        .thenReply(command.replyTo(), changed -> new RegistryReply.Accepted(changed.entry(deviceId)));
  }

  private ReplyEffect<Event, State> onDecommission(State state, Decommission command) {
    if (!state.registered()) {
      return Effect().reply(command.replyTo(),
          new RegistryReply.Refused(ErrorCode.DEVICE_UNKNOWN, "no device '" + deviceId + "' is registered"));
    }
    if (state.decommissioned()) {
      return Effect().reply(command.replyTo(),
          new RegistryReply.Refused(ErrorCode.DEVICE_DECOMMISSIONED, "device '" + deviceId + "' is already decommissioned"));
    }
    return Effect().persist(new Decommissioned(command.by(), clock.millis()))
        .thenRun(changed -> publish.accept(changed.entry(deviceId)))
        .thenReply(command.replyTo(), changed -> new RegistryReply.Accepted(changed.entry(deviceId)));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> new State(e.site(), e.profile(), e.metadata(), e.autoProvisioned(),
            false, state.revision() + 1, e.atMillis()))
        .onEvent(MovedToSite.class, (state, e) -> new State(e.site(), state.profile(), state.metadata(),
            state.autoProvisioned(), state.decommissioned(), state.revision() + 1, e.atMillis()))
        .onEvent(ProfileChanged.class, (state, e) -> new State(state.site(), e.profile(), state.metadata(),
            state.autoProvisioned(), state.decommissioned(), state.revision() + 1, e.atMillis()))
        .onEvent(MetadataChanged.class, (state, e) -> new State(state.site(), state.profile(), e.metadata(),
            state.autoProvisioned(), state.decommissioned(), state.revision() + 1, e.atMillis()))
        .onEvent(Decommissioned.class, (state, e) -> new State(state.site(), state.profile(), state.metadata(),
            state.autoProvisioned(), true, state.revision() + 1, e.atMillis()))
        .build();
  }

  /**
   * A started entity hands its state to the views again: a change whose publication was lost
   * (the node died between the journal write and it) reaches them at the latest when the device
   * is next touched.
   */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.registered()) {
            publish.accept(state.entry(deviceId));
          }
        })
        .build();
  }
}
