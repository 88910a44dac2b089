package io.fleetpulse.node.management;

import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Whether this node's own start-up is done and it can take work: the node registers what "ready"
 * means for it ({@link #started}) once its storage, actors and HTTP API are up; until then it is
 * not ready. Pekko Management asks it through {@link NodeReadinessCheck}; cluster membership is
 * Pekko's own check beside it.
 */
public final class NodeReadiness implements Extension {

  /** The extension's id: {@code NodeReadiness.ID.get(system)}. */
  public static final Id ID = new Id();

  private volatile BooleanSupplier ready = () -> false;

  /** Start-up is done; from now on the node is ready while {@code stillReady} says so. */
  public void started(BooleanSupplier stillReady) {
    this.ready = stillReady;
  }

  /** False before {@link #started}, then what the node's supplier answers. */
  public boolean isReady() {
    return ready.getAsBoolean();
  }

  /** Extension id (classic, so that the health check can reach it from its ActorSystem). */
  public static final class Id extends AbstractExtensionId<NodeReadiness> implements ExtensionIdProvider {
    private Id() {}

    @Override
    public NodeReadiness createExtension(ExtendedActorSystem system) {
      return new NodeReadiness();
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
