package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ServingSerializable;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelLoadException;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.serving.registry.ModelStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
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
 * <p>Replies: {@link Infer} gets one {@link InferenceReply}; admin commands get a {@link
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
      permits Infer, LoadModel, PromoteModel, ShadowModel, RollbackModel, ListModels, Wake, BatchDone, ModelLoaded {}

  /** Run {@code model} on one window: {@code window x features} floats, row-major, feature order of the model. */
  public record Infer(String model, Lane lane, float[] values, ActorRef<InferenceReply> replyTo) implements Command {}

  /**
   * Loads a version from the registry directory without serving it (the first version of a model
   * is activated if the registry admits it; if not, the reply is the refusal and it stays loaded).
   */
  public record LoadModel(String model, String version, ActorRef<StatusReply<ModelStatus>> replyTo) implements Command {}

  public record PromoteModel(String model, String version, ActorRef<StatusReply<ModelStatus>> replyTo) implements Command {}

  /** Puts a loaded version in shadow; a null version ends the shadow. */
  public record ShadowModel(String model, String version, ActorRef<StatusReply<ModelStatus>> replyTo) implements Command {}

  public record RollbackModel(String model, ActorRef<StatusReply<ModelStatus>> replyTo) implements Command {}

  public record ListModels(ActorRef<ModelList> replyTo) implements Command {}

  public record ModelList(List<ModelStatus> models) implements ServingSerializable {}

  enum Wake implements Command {
    INSTANCE
  }

  private record BatchDone(Batch batch, LoadedModel active, Optional<LoadedModel> shadow, long startNanos,
      float[][] outputs, float[][] shadowOutputs, long runNanos, Throwable failure) implements Command {}

  private record ModelLoaded(String model, String version, LoadedModel loaded, Throwable failure,
      ActorRef<StatusReply<ModelStatus>> replyTo) implements Command {}

  private final ModelRegistry registry;
  private final BatchScheduler scheduler;
  private final ServingSettings settings;
  private final PoolMetrics metrics;
  private final Executor inference;
  private final TimerScheduler<Command> timers;
  private long wakeAtNanos = Long.MAX_VALUE;

  public static Behavior<Command> create(ServingSettings settings, ModelRegistry registry, MeterRegistry meters) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
      return new InferencePool(context, timers, settings, registry, meters);
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
        .onMessage(LoadModel.class, this::onLoadModel)
        .onMessage(ModelLoaded.class, this::onModelLoaded)
        .onMessage(PromoteModel.class, c -> admin(c.replyTo(), c.model(), () -> registry.promote(c.model(), c.version())))
        .onMessage(ShadowModel.class, c -> admin(c.replyTo(), c.model(), () -> {
          if (c.version() == null) {
            registry.clearShadow(c.model());
          } else {
            registry.shadow(c.model(), c.version());
          }
        }))
        .onMessage(RollbackModel.class, c -> admin(c.replyTo(), c.model(), () -> registry.rollback(c.model())))
        .onMessage(ListModels.class, c -> {
          c.replyTo().tell(new ModelList(registry.status()));
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

  private Behavior<Command> onLoadModel(LoadModel command) {
    if (registry.isLoaded(command.model(), command.version())) {
      command.replyTo().tell(StatusReply.error(ModelRegistry.alreadyLoaded(command.model(), command.version())));
      return this;
    }
    CompletableFuture<LoadedModel> load = CompletableFuture.supplyAsync(() -> {
      try {
        return registry.loadVersion(command.model(), command.version());
      } catch (ModelLoadException e) {
        throw new CompletionException(e);
      }
    }, inference);
    getContext().pipeToSelf(load, (loaded, failure) -> new ModelLoaded(command.model(), command.version(), loaded,
        failure instanceof CompletionException c ? c.getCause() : failure, command.replyTo()));
    return this;
  }

  private Behavior<Command> onModelLoaded(ModelLoaded loaded) {
    if (loaded.failure() != null) {
      getContext().getLog().error("{}", loaded.failure().getMessage());
      loaded.replyTo().tell(StatusReply.error(loaded.failure().getMessage()));
      return this;
    }
    try {
      registry.install(loaded.loaded());
    } catch (IllegalArgumentException e) { // the same version was loaded twice concurrently
      loaded.replyTo().tell(StatusReply.error(e.getMessage()));
      return this;
    }
    if (registry.active(loaded.model()).isEmpty()) {
      try {
        registry.promote(loaded.model(), loaded.version());
      } catch (IllegalArgumentException e) { // loaded, but not admitted to serve
        loaded.replyTo().tell(StatusReply.error(e.getMessage()));
        return this;
      }
    }
    loaded.replyTo().tell(StatusReply.success(status(loaded.model())));
    return this;
  }

  private Behavior<Command> admin(ActorRef<StatusReply<ModelStatus>> replyTo, String model, Runnable change) {
    try {
      change.run();
      replyTo.tell(StatusReply.success(status(model)));
    } catch (IllegalArgumentException e) {
      replyTo.tell(StatusReply.error(e.getMessage()));
    }
    return this;
  }

  private ModelStatus status(String model) {
    return registry.status().stream().filter(s -> s.name().equals(model)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no model " + model + " is loaded"));
  }
}
