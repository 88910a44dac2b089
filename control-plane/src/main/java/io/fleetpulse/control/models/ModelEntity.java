package io.fleetpulse.control.models;

import io.fleetpulse.api.CborSerializable;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.serving.ModelDecision;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
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
 * One model's decisions for the whole cluster (which version every inference pool serves, which
 * runs in shadow, which are held loaded): a Cluster Sharding entity whose events are the journal
 * in Cassandra, with a snapshot every {@value #SNAPSHOT_EVERY} events. Two operators deciding at
 * once are serialised here and both land in the model's history. Whether a version loads and is
 * admitted (a profile's binding can feed it) is asked of a pool before a command comes here
 * ({@link ModelDecisions}); this entity keeps the decisions' own rules: a version in shadow is not
 * the active one, a rollback returns to the version served before, and only while it still does.
 * Every change, and the state an entity recovers to, is handed to {@code publish} for every
 * node's pool.
 */
public final class ModelEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ModelEntity.Command, ModelEntity.Event, ModelEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "ModelDecisions");
  static final int SNAPSHOT_EVERY = 50;
  /** How many earlier versions a model can be rolled back through. */
  static final int ROLLBACK_DEPTH = 16;

  public sealed interface Command extends CborSerializable permits Load, Promote, Shadow, Rollback, Get {}

  /** Every pool loads the version and holds it ready; it serves nothing new. */
  public record Load(String version, String by, ActorRef<ModelReply> replyTo) implements Command {}

  /**
   * Every pool serves the version. {@code servedBefore}: what the asking node served when the
   * model had no decision yet (its highest admitted version), the version a first rollback returns to.
   */
  public record Promote(String version, String servedBefore, String by, ActorRef<ModelReply> replyTo)
      implements Command {}

  /** Every pool runs the version in shadow beside the active one; a null version ends the shadow. */
  public record Shadow(String version, String by, ActorRef<ModelReply> replyTo) implements Command {}

  /**
   * Every pool serves the version served before the active one again. {@code to}: the version the
   * caller prepared its pool for; refused if the decision changed meanwhile.
   */
  public record Rollback(String to, String by, ActorRef<ModelReply> replyTo) implements Command {}

  /** The decision as it is (revision 0 when nobody decided on the model yet). */
  public record Get(ActorRef<ModelReply> replyTo) implements Command {}

  /**
   * What was decided. Serialised with Jackson (CBOR); a field added later is optional (absent in
   * older events), and a change that is not is a Jackson migration with a new version.
   */
  public sealed interface Event extends CborSerializable
      permits VersionLoaded, Promoted, ShadowStarted, ShadowStopped, RolledBack {
    String by();

    long atMillis();
  }

  public record VersionLoaded(String version, String by, long atMillis) implements Event {}

  /** {@code previous}: the version served before, null when none was. */
  public record Promoted(String version, String previous, String by, long atMillis) implements Event {}

  public record ShadowStarted(String version, String by, long atMillis) implements Event {}

  public record ShadowStopped(String version, String by, long atMillis) implements Event {}

  /** {@code from}: the version that served until then. */
  public record RolledBack(String version, String from, String by, long atMillis) implements Event {}

  /**
   * The model as its events made it: {@code rollback} holds the versions served before, newest
   * first; {@code revision} counts the events (the journal's sequence number).
   */
  public record State(String active, String shadow, List<String> loaded, List<String> rollback, long revision,
      long updatedAtMillis) implements CborSerializable {

    static final State NONE = new State(null, null, List.of(), List.of(), 0, 0);

    public State {
      loaded = loaded == null ? List.of() : List.copyOf(loaded);
      rollback = rollback == null ? List.of() : List.copyOf(rollback);
    }

    ModelDecision decision(String model) {
      return new ModelDecision(model, active, shadow, loaded, rollback, revision, updatedAtMillis);
    }

    State with(String newActive, String newShadow, List<String> newRollback, String alsoLoaded, long at) {
      TreeSet<String> versions = new TreeSet<>(loaded);
      if (alsoLoaded != null) {
        versions.add(alsoLoaded);
      }
      String shadowNow = Objects.equals(newShadow, newActive) ? null : newShadow;
      return new State(newActive, shadowNow, List.copyOf(versions), newRollback, revision + 1, at);
    }
  }

  private final String model;
  private final Clock clock;
  private final Consumer<ModelDecision> publish;

  public static Behavior<Command> create(String model, Clock clock, Consumer<ModelDecision> publish) {
    return Behaviors.setup(context -> new ModelEntity(model, clock, publish));
  }

  private ModelEntity(String model, Clock clock, Consumer<ModelDecision> publish) {
    super(persistenceId(model));
    this.model = model;
    this.clock = clock;
    this.publish = publish;
  }

  /** The journal's id of a model's events. */
  public static PersistenceId persistenceId(String model) {
    return PersistenceId.of(TYPE_KEY.name(), model);
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
        .onCommand(Load.class, (state, c) -> state.loaded().contains(c.version())
            ? decided(state, c.replyTo())
            : change(new VersionLoaded(c.version(), c.by(), clock.millis()), c.replyTo()))
        .onCommand(Promote.class, (state, c) -> c.version().equals(state.active())
            ? decided(state, c.replyTo())
            : change(new Promoted(c.version(), state.active() != null ? state.active() : c.servedBefore(), c.by(),
                clock.millis()), c.replyTo()))
        .onCommand(Shadow.class, this::onShadow)
        .onCommand(Rollback.class, this::onRollback)
        .onCommand(Get.class, (state, c) -> decided(state, c.replyTo()))
        .build();
  }

  private ReplyEffect<Event, State> onShadow(State state, Shadow command) {
    if (command.version() == null) {
      return state.shadow() == null
          ? decided(state, command.replyTo())
          : change(new ShadowStopped(state.shadow(), command.by(), clock.millis()), command.replyTo());
    }
    if (command.version().equals(state.active())) {
      return refused(command.replyTo(), "version " + command.version() + " of " + model
          + " is the active one; shadow another version");
    }
    return command.version().equals(state.shadow())
        ? decided(state, command.replyTo())
        : change(new ShadowStarted(command.version(), command.by(), clock.millis()), command.replyTo());
  }

  private ReplyEffect<Event, State> onRollback(State state, Rollback command) {
    if (state.rollback().isEmpty()) {
      return refused(command.replyTo(), "model " + model + " has no earlier version to roll back to");
    }
    String to = state.rollback().get(0);
    if (!to.equals(command.to())) {
      return refused(command.replyTo(), "model " + model + " now rolls back to version " + to + ", not "
          + command.to() + ": the decision changed meanwhile; try again");
    }
    return change(new RolledBack(to, state.active(), command.by(), clock.millis()), command.replyTo());
  }

  private ReplyEffect<Event, State> change(Event event, ActorRef<ModelReply> replyTo) {
    return Effect().persist(event)
        .thenRun(changed -> publish.accept(changed.decision(model)))
        .thenReply(replyTo, changed -> new ModelReply.Decided(changed.decision(model)));
  }

  private ReplyEffect<Event, State> decided(State state, ActorRef<ModelReply> replyTo) {
    return Effect().reply(replyTo, new ModelReply.Decided(state.decision(model)));
  }

  private ReplyEffect<Event, State> refused(ActorRef<ModelReply> replyTo, String message) {
    return Effect().reply(replyTo, new ModelReply.Refused(ErrorCode.MODEL_REFUSED, message));
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(VersionLoaded.class, (state, e) ->
            state.with(state.active(), state.shadow(), state.rollback(), e.version(), e.atMillis()))
        .onEvent(Promoted.class, (state, e) -> {
          List<String> rollback = new ArrayList<>(state.rollback());
          if (e.previous() != null && !e.previous().equals(e.version())) {
            rollback.add(0, e.previous());
          }
          if (rollback.size() > ROLLBACK_DEPTH) {
            rollback = rollback.subList(0, ROLLBACK_DEPTH);
          }
          return state.with(e.version(), state.shadow(), rollback, e.version(), e.atMillis());
        })
        .onEvent(ShadowStarted.class, (state, e) ->
            state.with(state.active(), e.version(), state.rollback(), e.version(), e.atMillis()))
        .onEvent(ShadowStopped.class, (state, e) ->
            state.with(state.active(), null, state.rollback(), null, e.atMillis()))
        .onEvent(RolledBack.class, (state, e) -> state.with(e.version(), state.shadow(),
            state.rollback().subList(1, state.rollback().size()), null, e.atMillis()))
        .build();
  }

  /**
   * A started entity hands its decision to the pools again: a change whose publication was lost
   * (the node died between the journal write and it) reaches them at the latest when the model is
   * next asked about, which every node with a pool does when it starts.
   */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          if (state.revision() > 0) {
            publish.accept(state.decision(model));
          }
        })
        .build();
  }
}
