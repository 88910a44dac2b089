package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Routers;

/**
 * How callers anywhere in the cluster reach an inference pool: a group router over every pool
 * registered with the receptionist (round robin) and one ask per request. A pool that does not
 * answer in time (its node left, or it is overloaded to the point of silence) makes the request
 * {@code Failed(pool.unavailable)}: nothing is lost silently, and whether to ask again is the
 * caller's decision (a device actor asks again for a window it still wants, and round robin sends
 * that request to the next pool). Retries live in that one layer, not here as well.
 */
public final class InferenceClient {

  private final ActorSystem<?> system;
  private final ActorRef<InferencePool.Command> router;
  private final Duration timeout;

  public InferenceClient(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
    this.router = system.systemActorOf(
        Routers.group(InferencePool.SERVICE_KEY).withRoundRobinRouting(), "inference-pools-" + System.identityHashCode(this),
        org.apache.pekko.actor.typed.Props.empty());
  }

  /** Completes with the pool's reply, or {@code Failed("pool.unavailable")} when none answered in time. */
  public CompletionStage<InferenceReply> infer(String model, Lane lane, float[] values) {
    return AskPattern.<InferencePool.Command, InferenceReply>ask(
            router, replyTo -> new InferencePool.Infer(model, lane, values, replyTo), timeout, system.scheduler())
        .handle((reply, failure) -> failure == null ? reply : new InferenceReply.Failed(model,
            InferenceReply.Failed.POOL_UNAVAILABLE, "no inference pool answered within " + timeout + ": " + failure));
  }
}
