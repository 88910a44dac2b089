package io.fleetpulse.node;

import io.fleetpulse.gateway.DeviceGateway;
import io.fleetpulse.gateway.registry.DeviceRegistry;
import java.time.Duration;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/** A started node, as its starter (the main method or a test) sees it; the gateway only on nodes with that role. */
public record RunningNode(
    NodeSettings settings, ActorSystem<Void> system, java.util.Optional<DeviceGateway> gateway, DeviceRegistry registry,
    String httpUrl, String brokerUrl, java.util.Optional<java.net.InetSocketAddress> cassandra) implements AutoCloseable {

  /** Runs coordinated shutdown and waits for it to finish. */
  @Override
  public void close() {
    CoordinatedShutdown.get(system).run(CoordinatedShutdown.unknownReason());
    system.getWhenTerminated().toCompletableFuture().orTimeout(Duration.ofSeconds(60).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).join();
  }
}
