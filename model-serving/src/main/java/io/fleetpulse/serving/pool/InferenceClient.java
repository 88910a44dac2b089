package io.fleetpulse.serving.pool;

import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Routers;

/**
 * How callers anywhere in the cluster reach an inference pool: a group router over every pool
 * registered with the receptionist (round robin), an ask per request, and retries when a pool
 * does not answer in time (its node left or is overloaded to the point of silence), so the next
 * attempt goes to another pool. When no pool answers at all the request is answered {@code
 * Failed(pool.unavailable)}: nothing is lost silently.
 */
public final class InferenceClient {

  private final ActorSystem<?> system;
  private final ActorRef<InferencePool.Command> router;
  private final Duration timeout;
  private final int attempts;

  public InferenceClient(ActorSystem<?> system, Duration timeout, int attempts) {
    this.system = system;
    this.timeout = timeout;
    this.attempts = attempts;
    this.router = system.systemActorOf(
        Routers.group(InferencePool.SERVICE_KEY).withRoundRobinRouting(), "inference-pools-" + System.identityHashCode(this),
        org.apache.pekko.actor.typed.Props.empty());
  }

  /** Completes with the pool's reply, or {@code Failed("pool.unavailable")} after every attempt timed out. */
  public CompletionStage<InferenceReply> infer(String model, Lane lane, float[] values) {
    CompletableFuture<InferenceReply> result = new CompletableFuture<>();
    attempt(model, lane, values, 1, result);
    return result;
  }

  private void attempt(String model, Lane lane, float[] values, int attempt, CompletableFuture<InferenceReply> result) {
    AskPattern.<InferencePool.Command, InferenceReply>ask(
            router, replyTo -> new InferencePool.Infer(model, lane, values, replyTo), timeout, system.scheduler())
        .whenCompleteAsync((reply, failure) -> {
          if (failure == null) {
            result.complete(reply);
          } else if (attempt < attempts && isTimeout(failure)) {
            attempt(model, lane, values, attempt + 1, result);
          } else {
            result.complete(new InferenceReply.Failed(model, InferenceReply.Failed.POOL_UNAVAILABLE,
                "no inference pool answered within " + timeout + " in " + attempt + " attempts"));
          }
        }, Runnable::run);
  }

  private static boolean isTimeout(Throwable failure) {
    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
    return cause instanceof TimeoutException;
  }
}
