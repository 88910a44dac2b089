package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ModelDecision;
import io.fleetpulse.serving.ServingSerializable;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelLoadException;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.serving.registry.ModelStatus;
import io.fleetpulse.serving.registry.ModelUse;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The shared inference pool of a node with the {@code inference} role, registered with the
 * receptionist under {@link #SERVICE_KEY} so callers anywhere in the cluster find it. Requests
 * for the same model are micro-batched per lane ({@link BatchScheduler}) into one ONNX Runtime
 * run on the inference dispatcher; the actor itself never blocks. A version in shadow runs on the
 * same batch after the active one and its difference is recorded, not served.
 *
 * <p>Which version of a model serves, and which runs in shadow, is the cluster's decision: the
 * pool follows each {@link ModelDecision} it is given ({@link Follow}), loading the versions it
 * names first, and lists why when it cannot (a version that will not load or is not admitted
 * here), serving on what it served. A pool started with decisions registers with the receptionist
 * once it follows them, so no device's window meets a version the cluster did not decide on.
 *
 * <p>Replies: {@link Infer} gets one {@link InferenceReply}; {@link Prepare} a {@link
 * StatusReply} of {@link ModelStatus} (an error with a sentence when refused).
 */
public final class InferencePool extends AbstractBehavior<InferencePool.Command> {

  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "fleetpulse-inference-pool");
  public static final String DISPATCHER_PATH = "fleetpulse.serving.inference-dispatcher";
  public static final String MAILBOX_PATH = "fleetpulse.serving.pool-mailbox";

  /** Spawn the pool with these props: its priority mailbox keeps URLLC ahead of floods. */
  public static Props props() {
    return MailboxSelector.fromConfig(MAILBOX_PATH);
  }

  static boolean isInternal(Command command) {
    return command instanceof BatchDone || command instanceof ModelLoaded || command == Wake.INSTANCE;
  }

  public sealed interface Command extends ServingSerializable
      permits Infer, Prepare, Follow, ListModels, Wake, BatchDone, ModelLoaded {}

  /** Run {@code model} on one window: {@code window x features} floats, row-major, feature order of the model. */
  public record Infer(String model, Lane lane, float[] values, ActorRef<InferenceReply> replyTo) implements Command {}

  /**
   * Loads a version from the registry directory if it is not loaded yet, without serving it (the
   * first version of a model is activated if the registry admits it), and answers whether it may
   * be used so here: what a node asks before the cluster decides on it.
   */
  public record Prepare(String model, String version, ModelUse use, ActorRef<StatusReply<ModelStatus>> replyTo)
      implements Command {}

  /** The cluster's decision on a model: the pool loads what it names and serves it; an older revision is ignored. */
  public record Follow(ModelDecision decision) implements Command {}

  public record ListModels(ActorRef<ModelList> replyTo) implements Command {}

  public record ModelList(List<ModelStatus> models) implements ServingSerializable {}

  enum Wake implements Command {
    INSTANCE
  }

  private record BatchDone(Batch batch, LoadedModel active, Optional<LoadedModel> shadow, long startNanos,
      float[][] outputs, float[][] shadowOutputs, long runNanos, Throwable failure) implements Command {}

  /** A version's load finished; {@code prepared} is the Prepare that asked for it, null when a decision did. */
  private record ModelLoaded(String model, String version, LoadedModel loaded, Throwable failure, Prepare prepared)
      implements Command {}

  /** What the pool does about one model's decision: the versions still loading, and why it cannot follow. */
  private static final class Following {
    ModelDecision decision;
    final Set<String> loading = new HashSet<>();
    final Map<String, String> unloadable = new HashMap<>();
    String problem;
    /** The revision and problem last logged and counted, so a decision applied again as loads finish is reported once. */
    long reportedRevision = -1;
    String reportedProblem;

    Following(ModelDecision decision) {
      this.decision = decision;
    }
  }

  private final ModelRegistry registry;
  private final BatchScheduler scheduler;
  private final ServingSettings settings;
  private final PoolMetrics metrics;
  private final Executor inference;
  private final TimerScheduler<Command> timers;
  private final Map<String, Following> following = new HashMap<>();
  private long wakeAtNanos = Long.MAX_VALUE;
  private boolean listed;

  /** A pool that serves what its registry loaded at start until it is given decisions. */
  public static Behavior<Command> create(ServingSettings settings, ModelRegistry registry, MeterRegistry meters) {
    return create(settings, registry, meters, List.of());
  }

  /**
   * A pool that follows {@code decisions} before it registers with the receptionist (at once when
   * they name only versions it holds; once their versions are loaded, or failed to, otherwise).
   */
  public static Behavior<Command> create(ServingSettings settings, ModelRegistry registry, MeterRegistry meters,
      List<ModelDecision> decisions) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      InferencePool pool = new InferencePool(context, timers, settings, registry, meters);
      decisions.forEach(pool::follow);
      pool.listWhenFollowing();
      return pool;
    }));
  }

  private InferencePool(
      ActorContext<Command> context, TimerScheduler<Command> timers, ServingSettings settings, ModelRegistry registry,
      MeterRegistry meters) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.registry = registry;
    this.metrics = new PoolMetrics(meters);
    this.scheduler = new BatchScheduler(
        settings.lanes(), settings.execution().maxConcurrentBatches(), settings.execution().reservedUrllcSlots());
    this.inference = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(DISPATCHER_PATH));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Infer.class, this::onInfer)
        .onMessageEquals(Wake.INSTANCE, () -> {
          wakeAtNanos = Long.MAX_VALUE;
          return dispatch();
        })
        .onMessage(BatchDone.class, this::onBatchDone)
        .onMessage(Prepare.class, this::onPrepare)
        .onMessage(Follow.class, c -> {
          follow(c.decision());
          listWhenFollowing();
          return this;
        })
        .onMessage(ModelLoaded.class, this::onModelLoaded)
        .onMessage(ListModels.class, c -> {
          c.replyTo().tell(new ModelList(registry.status().stream().map(this::withFollowing).toList()));
          return this;
        })
        .onSignal(PostStop.class, signal -> {
          registry.close();
          return this;
        })
        .build();
  }

  private Behavior<Command> onInfer(Infer request) {
    Optional<LoadedModel> model = registry.active(request.model());
    if (model.isEmpty()) {
      metrics.rejected(request.model(), request.lane(), "model-unknown");
      request.replyTo().tell(new InferenceReply.Failed(request.model(), "model.unknown", "no active version of " + request.model()));
      return this;
    }
    int expected = model.get().metadata().input().valuesPerSample();
    if (request.values().length != expected) {
      metrics.rejected(request.model(), request.lane(), "input-invalid");
      request.replyTo().tell(new InferenceReply.Failed(request.model(), "input.invalid",
          request.model() + " takes " + expected + " values per request, got " + request.values().length));
      return this;
    }
    long now = System.nanoTime();
    PendingRequest pending = new PendingRequest(request.model(), request.lane(), request.values(), now,
        now + settings.lanes().get(request.lane()).deadline().toNanos(), request.replyTo());
    if (scheduler.offer(pending) == BatchScheduler.Admission.OVERLOADED) {
      metrics.rejected(request.model(), request.lane(), "overloaded");
      request.replyTo().tell(new InferenceReply.Overloaded(request.model(), request.lane(), scheduler.queued(request.model(), request.lane())));
      return this;
    }
    return dispatch();
  }

  private Behavior<Command> dispatch() {
    long now = System.nanoTime();
    for (PendingRequest expired : scheduler.drainExpired(now)) {
      metrics.rejected(expired.model(), expired.lane(), "expired");
      expired.replyTo().tell(new InferenceReply.Expired(expired.model(), expired.lane(), (now - expired.enqueuedNanos()) / 1_000_000));
    }
    Optional<Batch> batch;
    while ((batch = scheduler.next(now)).isPresent()) {
      launch(batch.get(), now);
    }
    OptionalLong due = scheduler.nextDueNanos();
    // Re-arm only for an earlier deadline: a flood of requests must not reschedule per message.
    if (due.isPresent() && due.getAsLong() < wakeAtNanos && scheduler.running() < settings.execution().maxConcurrentBatches()) {
      wakeAtNanos = due.getAsLong();
      timers.startSingleTimer(Wake.INSTANCE, Duration.ofNanos(Math.max(0, due.getAsLong() - now)));
    }
    return this;
  }

  private void launch(Batch batch, long now) {
    Optional<LoadedModel> active = registry.active(batch.model()).filter(LoadedModel::acquire);
    if (active.isEmpty()) {
      scheduler.finished(batch);
      batch.requests().forEach(r -> r.replyTo().tell(new InferenceReply.Failed(batch.model(), "model.unknown", "no active version")));
      return;
    }
    Optional<LoadedModel> shadow = registry.shadow(batch.model()).filter(LoadedModel::acquire);
    int perSample = active.get().metadata().input().valuesPerSample();
    float[] values = new float[perSample * batch.requests().size()];
    for (int i = 0; i < batch.requests().size(); i++) {
      System.arraycopy(batch.requests().get(i).values(), 0, values, i * perSample, perSample);
    }
    int size = batch.requests().size();
    CompletableFuture<BatchDone> run = CompletableFuture.supplyAsync(() -> {
      long start = System.nanoTime();
      try {
        float[][] outputs = active.get().run(values, size);
        long runNanos = System.nanoTime() - start;
        float[][] shadowOutputs = shadow.isPresent() ? shadow.get().run(values, size) : null;
        return new BatchDone(batch, active.get(), shadow, start, outputs, shadowOutputs, runNanos, null);
      } catch (Exception | LinkageError e) {
        return new BatchDone(batch, active.get(), shadow, start, null, null, System.nanoTime() - start, e);
      }
    }, inference);
    getContext().pipeToSelf(run, (done, failure) -> failure == null ? done
        : new BatchDone(batch, active.get(), shadow, now, null, null, 0, failure instanceof CompletionException c ? c.getCause() : failure));
  }

  private Behavior<Command> onBatchDone(BatchDone done) {
    scheduler.finished(done.batch());
    done.active().release();
    done.shadow().ifPresent(LoadedModel::release);
    Batch batch = done.batch();
    if (done.failure() != null) {
      getContext().getLog().error("batch of {} for {} failed: {}", batch.requests().size(), batch.model(), done.failure().toString());
      for (PendingRequest request : batch.requests()) {
        metrics.rejected(batch.model(), batch.lane(), "run-failed");
        request.replyTo().tell(new InferenceReply.Failed(batch.model(), "run.failed", String.valueOf(done.failure().getMessage())));
      }
      return dispatch();
    }
    String version = done.active().metadata().version();
    java.util.Map<String, Double> thresholds = done.active().metadata().thresholds();
    int size = batch.requests().size();
    metrics.batch(batch.model(), batch.lane(), size, Duration.ofNanos(done.runNanos()));
    if (done.shadowOutputs() != null) {
      recordShadow(batch.model(), done.shadow().get().metadata().version(), done.outputs(), done.shadowOutputs());
    }
    for (int i = 0; i < size; i++) {
      PendingRequest request = batch.requests().get(i);
      long waitNanos = Math.max(0, done.startNanos() - request.enqueuedNanos());
      metrics.queueWait(batch.model(), batch.lane(), Duration.ofNanos(waitNanos));
      request.replyTo().tell(new InferenceReply.Prediction(batch.model(), version, done.outputs()[i], waitNanos / 1000, size,
          thresholds));
    }
    return dispatch();
  }

  private void recordShadow(String model, String shadowVersion, float[][] active, float[][] shadow) {
    double sum = 0;
    int count = 0;
    for (int i = 0; i < active.length; i++) {
      int width = Math.min(active[i].length, shadow[i].length);
      for (int k = 0; k < width; k++) {
        sum += Math.abs(active[i][k] - shadow[i][k]);
        count++;
      }
    }
    double meanDifference = count == 0 ? 0 : sum / count;
    metrics.shadowDifference(model, shadowVersion, meanDifference);
    getContext().getLog().debug("shadow {} {}: mean absolute difference {} over {} values", model, shadowVersion, meanDifference, count);
  }

  private Behavior<Command> onPrepare(Prepare command) {
    if (registry.isLoaded(command.model(), command.version())) {
      answer(command);
    } else {
      load(command.model(), command.version(), command);
    }
    return this;
  }

  private void answer(Prepare command) {
    try {
      registry.check(command.model(), command.version(), command.use());
      command.replyTo().tell(StatusReply.success(status(command.model())));
    } catch (IllegalArgumentException e) {
      command.replyTo().tell(StatusReply.error(e.getMessage()));
    }
  }

  private void load(String model, String version, Prepare prepared) {
    CompletableFuture<LoadedModel> load = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.loadVersion(model, version);
      } catch (ModelLoadException e) {
        throw new CompletionException(e);
      }
    }, inference);
    getContext().pipeToSelf(load, (loaded, failure) -> new ModelLoaded(model, version, loaded,
        failure instanceof CompletionException c ? c.getCause() : failure, prepared));
  }

  private Behavior<Command> onModelLoaded(ModelLoaded loaded) {
    Following decided = following.get(loaded.model());
    if (loaded.failure() != null) {
      // A ModelLoadException's message (answered to HTTP clients) names no path; anything else
      // thrown while loading might, so it is answered with a sentence; the log has the detail.
      String why = loaded.failure() instanceof ModelLoadException ? loaded.failure().getMessage()
          : "model " + loaded.model() + " version " + loaded.version() + " could not be loaded (see the node's log)";
      getContext().getLog().error("{}", why, loaded.failure());
      if (loaded.prepared() != null) {
        loaded.prepared().replyTo().tell(StatusReply.error(why));
      }
      if (decided != null && decided.loading.remove(loaded.version())) {
        decided.unloadable.put(loaded.version(), why);
        apply(decided);
      }
      listWhenFollowing();
      return this;
    }
    // Loaded twice at once (a decision and a prepare): the first copy stays, the second is closed.
    if (registry.installOrClose(loaded.loaded())) {
      if (registry.active(loaded.model()).isEmpty()) {
        try {
          registry.promote(loaded.model(), loaded.version());
        } catch (IllegalArgumentException e) { // loaded, but not admitted to serve: listed as refused
          getContext().getLog().warn("{}", e.getMessage());
        }
      }
    }
    if (loaded.prepared() != null) {
      answer(loaded.prepared());
    }
    if (decided != null && decided.loading.remove(loaded.version())) {
      apply(decided);
    }
    listWhenFollowing();
    return this;
  }

  /** Takes a decision if it is newer than the one followed, loads what it names that is not loaded, and applies it. */
  private void follow(ModelDecision decision) {
    Following decided = following.get(decision.model());
    if (decided != null && decided.decision.revision() >= decision.revision()) {
      return;
    }
    if (decided == null) {
      decided = new Following(decision);
      following.put(decision.model(), decided);
    } else {
      decided.decision = decision;
      decided.unloadable.clear();
    }
    Set<String> needed = new TreeSet<>(decision.loaded());
    Stream.of(decision.active(), decision.shadow()).filter(Objects::nonNull).forEach(needed::add);
    for (String version : needed) {
      if (!registry.isLoaded(decision.model(), version) && decided.loading.add(version)) {
        load(decision.model(), version, null);
      }
    }
    apply(decided);
  }

  /**
   * Serves what the decision says once the versions it needs are loaded; what cannot be followed
   * (a version that failed to load or is not admitted here) is logged and listed, and the pool
   * serves on what it served.
   */
  private void apply(Following decided) {
    ModelDecision decision = decided.decision;
    if (Stream.of(decision.active(), decision.shadow()).anyMatch(decided.loading::contains)) {
      return;
    }
    List<String> problems = new ArrayList<>(decided.unloadable.values());
    String model = decision.model();
    try {
      if (decision.active() != null && !decided.unloadable.containsKey(decision.active())) {
        registry.promote(model, decision.active());
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    try {
      if (decision.shadow() == null || decision.shadow().equals(decision.active())) {
        registry.clearShadow(model);
      } else if (!decided.unloadable.containsKey(decision.shadow())) {
        registry.shadow(model, decision.shadow());
      }
    } catch (IllegalArgumentException e) {
      problems.add(e.getMessage());
    }
    decided.problem = problems.isEmpty() ? null : String.join("; ", problems);
    if (decided.reportedRevision == decision.revision() && Objects.equals(decided.reportedProblem, decided.problem)) {
      return;
    }
    decided.reportedRevision = decision.revision();
    decided.reportedProblem = decided.problem;
    if (decided.problem != null) {
      metrics.notFollowing(model);
      getContext().getLog().error("model {}: this pool does not follow the cluster's decision {}: {}", model,
          decision.revision(), decided.problem);
    } else if (decision.revision() > 0) {
      getContext().getLog().info("model {} follows decision {}: serving {}, shadow {}", model, decision.revision(),
          registry.active(model).map(m -> m.metadata().version()).orElse(null), decision.shadow());
    }
  }

  /** Registers with the receptionist once no decision waits for a version to load. */
  private void listWhenFollowing() {
    if (!listed && following.values().stream().allMatch(f -> f.loading.isEmpty())) {
      listed = true;
      getContext().getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, getContext().getSelf()));
    }
  }

  private ModelStatus withFollowing(ModelStatus status) {
    Following decided = following.get(status.name());
    return decided == null ? status : status.following(decided.decision.revision(), decided.problem);
  }

  private ModelStatus status(String model) {
    return registry.status().stream().filter(s -> s.name().equals(model)).map(this::withFollowing).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model " + model + " is loaded"));
  }
}
