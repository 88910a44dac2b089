package io.fleetpulse.node.http;

import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.HistoryItem;
import io.fleetpulse.control.models.ModelDecisions;
import io.fleetpulse.control.models.ModelReply;
import io.fleetpulse.serving.pool.InferencePool;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The model admin API of a node that runs an inference pool. Decisions (hot-load a version from
 * the registry directory, put it in shadow, promote it, roll back) are the cluster's: prepared on
 * this node's pool, decided by the model's entity, followed by every pool ({@link
 * ModelDecisions}); they answer the decision. Refusals (a broken file, a graph that disagrees with
 * its metadata, an unknown version, a version a profile's binding cannot feed, nothing to roll
 * back to) are 409 {@code model.refused} with the sentence; the active version keeps serving.
 */
final class ModelRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final ActorRef<InferencePool.Command> pool;
  private final ModelDecisions decisions;
  private final io.fleetpulse.security.ConsoleSecurity security;
  private final Duration timeout;
  private final JsonResponses json;

  /** @param security whose identity a decision is by */
  ModelRoutes(ActorSystem<?> system, ActorRef<InferencePool.Command> pool, ModelDecisions decisions,
      io.fleetpulse.security.ConsoleSecurity security, Duration timeout, JsonResponses json) {
    this.system = system;
    this.pool = pool;
    this.decisions = decisions;
    this.security = security;
    this.timeout = timeout;
    this.json = json;
  }

  Route route() {
    return pathPrefix("models", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> onSuccess(
            AskPattern.ask(pool, InferencePool.ListModels::new, timeout, system.scheduler()),
            list -> json.ok(list.models())))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("load"),
            (model, version) -> post(() -> named(model, version, () ->
                security.identity(by -> decided(decisions.load(pool, model, version, by.name())))))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("promote"),
            (model, version) -> post(() -> named(model, version, () ->
                security.identity(by -> decided(decisions.promote(pool, model, version, by.name())))))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("shadow"),
            (model, version) -> post(() -> named(model, version, () ->
                security.identity(by -> decided(decisions.shadow(pool, model, version, by.name())))))),
        path(PathMatchers.segment().slash("shadow"),
            model -> delete(() -> named(model, null, () ->
                security.identity(by -> decided(decisions.shadow(pool, model, null, by.name())))))),
        path(PathMatchers.segment().slash("rollback"),
            model -> post(() -> named(model, null, () ->
                security.identity(by -> decided(decisions.rollback(pool, model, by.name())))))),
        path(PathMatchers.segment().slash("history"), model -> get(() -> named(model, null, () -> history(model))))));
  }

  /**
   * {@code inner} when the model name (and version, unless null) could be a directory of the model
   * registry: no {@code ..}, separator (a decoded {@code %2F} or {@code %5C} included), NUL or
   * anything outside {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}; else 400 {@code request.invalid}
   * before the cluster, the pool or the file system hears of it.
   */
  private Route named(String model, String version, Supplier<Route> inner) {
    Optional<ModelReply> invalid = ModelDecisions.invalidName(model)
        .or(() -> version == null ? Optional.empty() : ModelDecisions.invalidName(version));
    return invalid.isPresent() ? decided(CompletableFuture.completedFuture(invalid.get())) : inner.get();
  }

  /** {@code GET /api/models/{name}/history}: every decision on the model, oldest first. */
  private Route history(String model) {
    Optional<CompletionStage<List<HistoryItem>>> items = decisions.history(model);
    if (items.isEmpty()) {
      return json.error(ErrorCode.STORAGE_DISABLED, "the models' history needs storage (fleetpulse.persistence.enabled)");
    }
    return onSuccess(items.get(), list -> json.json(StatusCodes.OK, Map.of("model", model, "events", list)));
  }

  private Route decided(CompletionStage<ModelReply> reply) {
    return onSuccess(reply, answer -> answer instanceof ModelReply.Decided decided
        ? json.ok(decided.decision())
        : json.error(((ModelReply.Refused) answer).code(), ((ModelReply.Refused) answer).message()));
  }
}
