package io.fleetpulse.control.models;

import io.fleetpulse.api.Backoff;
import io.fleetpulse.api.Stages;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.ControlPlaneSettings;
import io.fleetpulse.control.HistoryItem;
import io.fleetpulse.control.Replication;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.serving.ModelDecision;
import io.fleetpulse.serving.pool.InferencePool;
import io.fleetpulse.serving.registry.ModelStatus;
import io.fleetpulse.serving.registry.ModelUse;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The models' control plane on one node: the model entities (sharded, on every node), the
 * replication that carries their decisions to every node's inference pool, and the commands the
 * HTTP API sends. A decision is first prepared on the asking node's pool (the version loaded and
 * admitted there: a broken file or a version a profile's binding cannot feed is refused before
 * the cluster decides on it), then decided by the model's entity, then followed by every pool.
 */
public final class ModelDecisions {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ModelDecisions.class);
  /** How long a node waits before it asks its models' entities again. */
  private static final Backoff ASK_AGAIN = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<Replication.Command<ModelDecision>> replication;
  private final Optional<CurrentEventsByPersistenceIdQuery> journal;
  private final ControlPlaneSettings settings;

  private ModelDecisions(ActorSystem<?> system, ActorRef<Replication.Command<ModelDecision>> replication,
      Optional<CurrentEventsByPersistenceIdQuery> journal, ControlPlaneSettings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.replication = replication;
    this.journal = journal;
    this.settings = settings;
  }

  /**
   * Starts the model entities' shard region and this node's replication of their decisions.
   *
   * @param readJournal the Pekko Persistence query plugin the history is read from; empty: no history
   */
  public static ModelDecisions start(ActorSystem<?> system, Clock clock, ControlPlaneSettings settings,
      Optional<String> readJournal) {
    ActorRef<Replication.Command<ModelDecision>> replication = system.systemActorOf(
        Replication.create(new Replication.Spec<>("model-decisions", 16, ModelDecision::model,
            ModelDecision::revision, settings.writeTimeout()), decision -> { }, decision -> { }),
        "model-replication", Props.empty());
    ClusterSharding.get(system).init(Entity.of(ModelEntity.TYPE_KEY, context -> ModelEntity.create(
        context.getEntityId(), clock, decision -> replication.tell(new Replication.Publish<>(decision)))));
    return new ModelDecisions(system, replication,
        readJournal.map(id -> PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, id)),
        settings);
  }

  /**
   * The decisions on these models as their entities hold them now (each entity started, and so
   * recovered and published, if it was not running): what a pool follows before it serves.
   */
  public CompletionStage<List<ModelDecision>> current(Collection<String> models) {
    return Source.from(List.copyOf(models))
        .mapAsync(4, model -> Stages.plain(entity(model).<ModelReply>ask(ModelEntity.Get::new, settings.askTimeout())))
        .filter(reply -> reply instanceof ModelReply.Decided)
        .map(reply -> ((ModelReply.Decided) reply).decision())
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), system);
  }

  /**
   * Hands {@code follower} the decisions on {@code models} as their entities hold them, asking
   * again with back-off until they answer (an entity that was not running starts, recovers and
   * publishes: a cluster that starts cold has no decision in Distributed Data until then), and
   * every decision this node learns from Distributed Data from now on. Of one model's decisions
   * the follower may get the same revision twice, and an older one after a newer: it keeps the
   * highest. It must not block.
   */
  public void follow(Collection<String> models, Consumer<ModelDecision> follower) {
    replication.tell(new Replication.Follow<>(follower));
    askUntilAnswered(List.copyOf(models), follower, 1);
  }

  private void askUntilAnswered(List<String> models, Consumer<ModelDecision> follower, long attempt) {
    current(models).whenComplete((decisions, failure) -> {
      if (failure == null) {
        decisions.forEach(follower);
        return;
      }
      Duration wait = ASK_AGAIN.delay(attempt);
      LOG.warn("the decisions on models {} did not arrive (attempt {}): {}; asking again in {}", models, attempt,
          failure.toString(), wait);
      system.scheduler().scheduleOnce(wait, () -> askUntilAnswered(models, follower, attempt + 1),
          system.executionContext());
    });
  }

  /** Every pool loads the version (prepared on {@code pool} first) and holds it ready. */
  public CompletionStage<ModelReply> load(ActorRef<InferencePool.Command> pool, String model, String version,
      String by) {
    return prepared(pool, model, version, ModelUse.LOAD,
        status -> entity(model).ask(replyTo -> new ModelEntity.Load(version, by, replyTo), settings.askTimeout()));
  }

  /** Every pool serves the version (prepared on {@code pool} first). */
  public CompletionStage<ModelReply> promote(ActorRef<InferencePool.Command> pool, String model, String version,
      String by) {
    return prepared(pool, model, version, ModelUse.SERVE, status -> entity(model).ask(
        replyTo -> new ModelEntity.Promote(version, status.activeVersion(), by, replyTo), settings.askTimeout()));
  }

  /** Every pool runs the version in shadow (prepared on {@code pool} first); a null version ends the shadow. */
  public CompletionStage<ModelReply> shadow(ActorRef<InferencePool.Command> pool, String model, String version,
      String by) {
    if (version == null) {
      Optional<ModelReply> invalid = invalidName(model);
      return invalid.isPresent() ? CompletableFuture.completedFuture(invalid.get()) : Stages.plain(
          entity(model).ask(replyTo -> new ModelEntity.Shadow(null, by, replyTo), settings.askTimeout()));
    }
    return prepared(pool, model, version, ModelUse.SHADOW,
        status -> entity(model).ask(replyTo -> new ModelEntity.Shadow(version, by, replyTo), settings.askTimeout()));
  }

  /** Every pool serves the version served before the active one again (prepared on {@code pool} first). */
  public CompletionStage<ModelReply> rollback(ActorRef<InferencePool.Command> pool, String model, String by) {
    Optional<ModelReply> invalid = invalidName(model);
    if (invalid.isPresent()) {
      return CompletableFuture.completedFuture(invalid.get());
    }
    return Stages.plain(entity(model).<ModelReply>ask(ModelEntity.Get::new, settings.askTimeout()))
        .thenCompose(reply -> {
          if (!(reply instanceof ModelReply.Decided decided) || decided.decision().rollback().isEmpty()) {
            // The entity says why: nothing to roll back to.
            return Stages.plain(entity(model).<ModelReply>ask(
                replyTo -> new ModelEntity.Rollback(null, by, replyTo), settings.askTimeout()));
          }
          String to = decided.decision().rollback().get(0);
          return prepared(pool, model, to, ModelUse.SERVE, status -> entity(model).ask(
              replyTo -> new ModelEntity.Rollback(to, by, replyTo), settings.askTimeout()));
        });
  }

  /**
   * Every decision on a model (a valid name: {@link #invalidName}) in order, from the journal;
   * empty when this node reads no journal.
   */
  public Optional<CompletionStage<List<HistoryItem>>> history(String model) {
    return journal.map(query -> HistoryItem.read(query, ModelEntity.persistenceId(model), ModelDecisions::item, system));
  }

  private CompletionStage<ModelReply> prepared(ActorRef<InferencePool.Command> pool, String model, String version,
      ModelUse use, Function<ModelStatus, CompletionStage<ModelReply>> decide) {
    Optional<CompletionStage<ModelReply>> invalid = invalid(model, version);
    if (invalid.isPresent()) {
      return invalid.get();
    }
    CompletionStage<StatusReply<ModelStatus>> preparing = AskPattern.ask(pool,
        replyTo -> new InferencePool.Prepare(model, version, use, replyTo), settings.prepareTimeout(), system.scheduler());
    return Stages.plain(preparing).thenCompose(prepared -> prepared.isSuccess()
        ? Stages.plain(decide.apply(prepared.getValue()))
        : CompletableFuture.completedFuture(
            new ModelReply.Refused(ErrorCode.MODEL_REFUSED, prepared.getError().getMessage())));
  }

  /** A model name or version that could not be a directory of the model registry. */
  private static Optional<CompletionStage<ModelReply>> invalid(String model, String version) {
    return invalidName(model).or(() -> invalidName(version)).map(CompletableFuture::completedFuture);
  }

  /** Why {@code name} cannot be a model's name or version (a directory of the model registry); empty when it can. */
  public static Optional<ModelReply> invalidName(String name) {
    return TelemetryTopic.isValidId(name) ? Optional.empty() : Optional.of(new ModelReply.Refused(
        ErrorCode.REQUEST_INVALID, "model names and versions match [A-Za-z0-9][A-Za-z0-9._-]{0,63}; '" + name + "' does not"));
  }

  private static HistoryItem item(EventEnvelope envelope) {
    ModelEntity.Event event = (ModelEntity.Event) envelope.event();
    Map<String, Object> details = new LinkedHashMap<>();
    String name;
    if (event instanceof ModelEntity.VersionLoaded loaded) {
      name = "version-loaded";
      details.put("version", loaded.version());
    } else if (event instanceof ModelEntity.Promoted promoted) {
      name = "promoted";
      details.put("version", promoted.version());
      details.put("previous", promoted.previous());
    } else if (event instanceof ModelEntity.ShadowStarted started) {
      name = "shadow-started";
      details.put("version", started.version());
    } else if (event instanceof ModelEntity.ShadowStopped stopped) {
      name = "shadow-stopped";
      details.put("version", stopped.version());
    } else if (event instanceof ModelEntity.RolledBack rolledBack) {
      name = "rolled-back";
      details.put("version", rolledBack.version());
      details.put("from", rolledBack.from());
    } else {
      throw new IllegalStateException("no history name for " + event.getClass().getName());
    }
    return new HistoryItem(envelope.sequenceNr(), event.atMillis(), event.by(), name, details);
  }

  private EntityRef<ModelEntity.Command> entity(String model) {
    return sharding.entityRefFor(ModelEntity.TYPE_KEY, model);
  }
}
