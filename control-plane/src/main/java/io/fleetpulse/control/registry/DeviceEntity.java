package io.fleetpulse.control.registry;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Sharding entity whose events (registered, moved to a site, profile changed, decommissioned, a
 * credential issued or rotated, credentials revoked) are
 * the journal in Cassandra, with a snapshot every {@value #SNAPSHOT_EVERY} events. Commands to one
 * device are serialised here, so two operators changing it at once both land, one after the other,
 * in its history. Every change, and the state an entity recovers to when it starts, is handed to
 * {@code publish} for the nodes' registry views ({@link RegistryReplication}).
 */
public final class DeviceEntity extends EventSourcedBehaviorWithEnforcedReplies<DeviceEntity.Command, DeviceEntity.Event, DeviceEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "DeviceRegistration");
  static final int SNAPSHOT_EVERY = 50;

  public sealed interface Command extends CborSerializable permits Register, Decommission, IssueCredential, RevokeCredentials {}

  /**
   * Registers the device, or moves it, or changes its profile. {@code autoProvisioned}: the
   * gateway took the device from its first message (an auto-provisioning rule); such a request
   * never changes a device that is already registered. {@code credential} (a secret's hash, or
   * null) is issued when the device holds no valid credential after the registration: a device
   * provisioned gets its first secret, one registered again keeps the one it has.
   */
  public record Register(String site, String profile, Map<String, String> metadata, boolean autoProvisioned, String by,
      String credential, ActorRef<RegistryReply> replyTo) implements Command {
    public Register {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public Register(String site, String profile, Map<String, String> metadata, boolean autoProvisioned, String by,
        ActorRef<RegistryReply> replyTo) {
      this(site, profile, metadata, autoProvisioned, by, null, replyTo);
    }
  }

  /**
   * Issues a new secret (its hash): the device's current secrets stay valid for {@code graceMillis}
   * more (a rotation; 0 ends them now), then only the new one is.
   */
  public record IssueCredential(String credential, long graceMillis, String by, ActorRef<RegistryReply> replyTo)
      implements Command {}

  /** Revokes every secret of the device: its next CONNECT is refused and its live connections end. */
  public record RevokeCredentials(String by, ActorRef<RegistryReply> replyTo) implements Command {}

  /** Takes the device out of the fleet: its messages are refused from then on, everywhere. */
  public record Decommission(String by, ActorRef<RegistryReply> replyTo) implements Command {}

  /**
   * What happened to a device. Serialised with Jackson (CBOR); a field added later is optional
   * (absent in older events), and a change that is not is a Jackson migration with a new version.
   */
  public sealed interface Event extends CborSerializable
      permits Registered, MovedToSite, ProfileChanged, MetadataChanged, Decommissioned, CredentialIssued,
      CredentialsRevoked {
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

  /**
   * A new secret, kept as its hash; the secrets valid before stay valid until {@code
   * previousValidUntilMillis} (the rotation's grace period), and those already expired are dropped.
   */
  public record CredentialIssued(String hash, long previousValidUntilMillis, String by, long atMillis) implements Event {}

  public record CredentialsRevoked(String by, long atMillis) implements Event {}

  /**
   * The device as its events made it; {@code revision} counts them (the journal's sequence number).
   * {@code credentials} was added later: a snapshot without it reads back with none.
   */
  public record State(String site, String profile, Map<String, String> metadata, boolean autoProvisioned,
      boolean decommissioned, long revision, long updatedAtMillis, List<Credential> credentials) implements CborSerializable {

    static final State NONE = new State(null, null, Map.of(), false, false, 0, 0, List.of());

    public State {
      metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
      credentials = credentials == null ? List.of() : List.copyOf(credentials);
    }

    boolean registered() {
      return site != null;
    }

    RegistryEntry entry(String deviceId) {
      return new RegistryEntry(deviceId, site, profile, autoProvisioned, decommissioned, revision, updatedAtMillis,
          credentials);
    }

    State with(String site, String profile, Map<String, String> metadata, boolean autoProvisioned,
        boolean decommissioned, long atMillis) {
      return new State(site, profile, metadata, autoProvisioned, decommissioned, revision + 1, atMillis, credentials);
    }

    State withCredentials(List<Credential> credentials, long atMillis) {
      return new State(site, profile, metadata, autoProvisioned, decommissioned, revision + 1, atMillis, credentials);
    }

    /** The credentials after {@code issued}: the new one current, the others valid until the grace ends, expired ones gone. */
    List<Credential> issue(CredentialIssued issued) {
      List<Credential> next = new ArrayList<>(credentials.size() + 1);
      for (Credential held : credentials) {
        Credential kept = new Credential(held.hash(), Math.min(held.notAfterMillis(), issued.previousValidUntilMillis()));
        if (kept.validAt(issued.atMillis())) {
          next.add(kept);
        }
      }
      next.add(new Credential(issued.hash(), Long.MAX_VALUE));
      return next;
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
        .onCommand(IssueCredential.class, this::onIssueCredential)
        .onCommand(RevokeCredentials.class, this::onRevokeCredentials)
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
    if (command.credential() != null && state.credentials().stream().noneMatch(credential -> credential.validAt(now))) {
      events.add(new CredentialIssued(command.credential(), now, command.by(), now));
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

  private ReplyEffect<Event, State> onIssueCredential(State state, IssueCredential command) {
    Optional<ReplyEffect<Event, State>> refused = refuseUnlessActive(state, command.replyTo());
    if (refused.isPresent()) {
      return refused.get();
    }
    long now = clock.millis();
    return Effect().persist(new CredentialIssued(command.credential(), now + Math.max(0, command.graceMillis()),
            command.by(), now))
        .thenRun(changed -> publish.accept(changed.entry(deviceId)))
        .thenReply(command.replyTo(), changed -> new RegistryReply.Accepted(changed.entry(deviceId)));
  }

  private ReplyEffect<Event, State> onRevokeCredentials(State state, RevokeCredentials command) {
    Optional<ReplyEffect<Event, State>> refused = refuseUnlessActive(state, command.replyTo());
    if (refused.isPresent()) {
      return refused.get();
    }
    return Effect().persist(new CredentialsRevoked(command.by(), clock.millis()))
        .thenRun(changed -> publish.accept(changed.entry(deviceId)))
        .thenReply(command.replyTo(), changed -> new RegistryReply.Accepted(changed.entry(deviceId)));
  }

  private Optional<ReplyEffect<Event, State>> refuseUnlessActive(State state, ActorRef<RegistryReply> replyTo) {
    if (!state.registered()) {
      return Optional.of(Effect().reply(replyTo,
          new RegistryReply.Refused(ErrorCode.DEVICE_UNKNOWN, "no device '" + deviceId + "' is registered")));
    }
    if (state.decommissioned()) {
      return Optional.of(Effect().reply(replyTo,
          new RegistryReply.Refused(ErrorCode.DEVICE_DECOMMISSIONED, "device '" + deviceId + "' was decommissioned")));
    }
    return Optional.empty();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> state.with(e.site(), e.profile(), e.metadata(), e.autoProvisioned(),
            false, e.atMillis()))
        .onEvent(MovedToSite.class, (state, e) -> state.with(e.site(), state.profile(), state.metadata(),
            state.autoProvisioned(), state.decommissioned(), e.atMillis()))
        .onEvent(ProfileChanged.class, (state, e) -> state.with(state.site(), e.profile(), state.metadata(),
            state.autoProvisioned(), state.decommissioned(), e.atMillis()))
        .onEvent(MetadataChanged.class, (state, e) -> state.with(state.site(), state.profile(), e.metadata(),
            state.autoProvisioned(), state.decommissioned(), e.atMillis()))
        .onEvent(Decommissioned.class, (state, e) -> state.with(state.site(), state.profile(), state.metadata(),
            state.autoProvisioned(), true, e.atMillis()))
        .onEvent(CredentialIssued.class, (state, e) -> state.withCredentials(state.issue(e), e.atMillis()))
        .onEvent(CredentialsRevoked.class, (state, e) -> state.withCredentials(List.of(), e.atMillis()))
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
