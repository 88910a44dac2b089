package io.fleetpulse.node.http;

import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.serving.pool.InferencePool;
import io.fleetpulse.serving.registry.ModelStatus;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;

/**
 * The model admin API of a node that runs an inference pool: list models, hot-load a version from
 * the registry directory, put it in shadow, promote it, roll back. Refusals (a broken file, a
 * graph that disagrees with its metadata, an unknown version, a version a profile's binding cannot
 * feed) are 409 {@code model.refused} with the pool's sentence; the active version keeps serving.
 */
final class ModelRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final ActorRef<InferencePool.Command> pool;
  private final Duration timeout;
  private final JsonResponses json;

  ModelRoutes(ActorSystem<?> system, ActorRef<InferencePool.Command> pool, Duration timeout, JsonResponses json) {
    this.system = system;
    this.pool = pool;
    this.timeout = timeout;
    this.json = json;
  }

  Route route() {
    return pathPrefix("models", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> onSuccess(
            AskPattern.ask(pool, InferencePool.ListModels::new, timeout, system.scheduler()),
            list -> json.ok(list.models())))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("load"),
            (model, version) -> post(() -> admin(replyTo -> new InferencePool.LoadModel(model, version, replyTo)))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("promote"),
            (model, version) -> post(() -> admin(replyTo -> new InferencePool.PromoteModel(model, version, replyTo)))),
        path(PathMatchers.segment().slash("versions").slash(PathMatchers.segment()).slash("shadow"),
            (model, version) -> post(() -> admin(replyTo -> new InferencePool.ShadowModel(model, version, replyTo)))),
        path(PathMatchers.segment().slash("shadow"),
            model -> delete(() -> admin(replyTo -> new InferencePool.ShadowModel(model, null, replyTo)))),
        path(PathMatchers.segment().slash("rollback"),
            model -> post(() -> admin(replyTo -> new InferencePool.RollbackModel(model, replyTo))))));
  }

  private Route admin(Function<ActorRef<StatusReply<ModelStatus>>, InferencePool.Command> command) {
    CompletionStage<StatusReply<ModelStatus>> reply = AskPattern.ask(pool, command::apply, timeout, system.scheduler());
    return onSuccess(reply, status -> status.isSuccess()
        ? json.ok(status.getValue())
        : json.error(ErrorCode.MODEL_REFUSED, status.getError().getMessage()));
  }
}
