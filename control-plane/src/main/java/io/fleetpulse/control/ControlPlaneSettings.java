package io.fleetpulse.control;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code fleetpulse.control} in {@code reference.conf}.
 *
 * @param askTimeout how long the API waits for an entity's answer
 * @param writeTimeout how long a registry change waits for a majority of nodes before it is left to gossip
 * @param notifyInterval how often a node's view takes the changes Distributed Data received
 * @param journalKeyspace the keyspace of the control plane's journal and snapshots (created, and its
 *     name checked, at start by the persistence module)
 * @param bulkParallelism devices of one bulk upload registered at a time
 * @param bulkAskTimeout how long one device of a bulk upload may take
 * @param prepareTimeout how long a model decision waits for the asking node's pool to load and check the version
 * @param hashIterations PBKDF2 iterations of a new credential's hash
 * @param rotationGrace how long a rotated-out secret is still accepted, unless the rotation says otherwise
 */
public record ControlPlaneSettings(Duration askTimeout, Duration writeTimeout, Duration notifyInterval,
    String journalKeyspace, int bulkParallelism, Duration bulkAskTimeout, Duration prepareTimeout,
    int hashIterations, Duration rotationGrace) {

  public static ControlPlaneSettings fromConfig(Config root) {
    Config c = root.getConfig("fleetpulse.control");
    return new ControlPlaneSettings(c.getDuration("ask-timeout"), c.getDuration("registry.write-timeout"),
        c.getDuration("registry.notify-interval"), c.getString("journal-keyspace"),
        c.getInt("registry.bulk-parallelism"), c.getDuration("registry.bulk-ask-timeout"),
        c.getDuration("models.prepare-timeout"), c.getInt("credentials.hash-iterations"),
        c.getDuration("credentials.rotation-grace"));
  }
}
