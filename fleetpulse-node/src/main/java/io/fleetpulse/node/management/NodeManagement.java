package io.fleetpulse.node.management;

import com.typesafe.config.Config;
import io.fleetpulse.node.NodeSettings;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node becomes a cluster member, and what it tells Kubernetes about itself. With
 * {@code fleetpulse.node.management.enabled} it serves Pekko Management's HTTP endpoints
 * ({@code /alive}, {@code /ready}: cluster membership plus {@link NodeReadinessCheck}); with
 * {@code cluster-bootstrap} it forms or joins the cluster through Cluster Bootstrap (contact points
 * from Pekko Discovery, the Kubernetes API in {@code k8s/}); otherwise it joins
 * {@code pekko.cluster.seed-nodes}, or itself when there are none and the node is configured to.
 */
public final class NodeManagement {

  private static final Logger LOG = LoggerFactory.getLogger(NodeManagement.class);

  private NodeManagement() {}

  /** How the node joined: for logs and tests. */
  public enum JoinedBy {
    BOOTSTRAP, SEED_NODES, SELF, NONE
  }

  /**
   * Starts Pekko Management if enabled (waiting for its HTTP binding, so a port conflict fails the
   * start) and then joins the cluster as configured.
   */
  public static JoinedBy start(ActorSystem<?> system, Config config, NodeSettings settings) {
    NodeSettings.Management management = settings.management();
    if (management.enabled()) {
      try {
        var uri = PekkoManagement.get(system).start().toCompletableFuture()
            .get(management.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Pekko Management serving at {}", uri);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start Pekko Management: " + e, e);
      }
    } else if (management.clusterBootstrap()) {
      throw new IllegalStateException(
          "fleetpulse.node.management.cluster-bootstrap needs fleetpulse.node.management.enabled: "
              + "bootstrap contact points are probed over Pekko Management's HTTP");
    }
    if (management.clusterBootstrap()) {
      ClusterBootstrap.get(system).start();
      return JoinedBy.BOOTSTRAP;
    }
    if (!config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      return JoinedBy.SEED_NODES; // Pekko Cluster joins them by itself
    }
    if (settings.joinSelfWithoutSeedNodes()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
      return JoinedBy.SELF;
    }
    return JoinedBy.NONE;
  }
}
