package io.fleetpulse.node.management;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;

/**
 * Pekko Management readiness check ({@code pekko.management.health-checks.readiness-checks}):
 * ready once the node finished starting and its gateway, where it has one, is subscribed to the
 * broker. Pekko Management instantiates it by class name with the actor system.
 */
public final class NodeReadinessCheck implements Supplier<CompletionStage<Boolean>> {

  private final NodeReadiness readiness;

  public NodeReadinessCheck(ActorSystem system) {
    this.readiness = NodeReadiness.ID.get(system);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(readiness.isReady());
  }
}
