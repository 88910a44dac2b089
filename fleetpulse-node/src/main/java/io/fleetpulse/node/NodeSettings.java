package io.fleetpulse.node;

import com.typesafe.config.Config;
import java.time.Duration;

/** The node's own settings ({@code fleetpulse.node}), read once. */
public record NodeSettings(
    String name, String httpInterface, int httpPort, Duration httpTerminationDeadline,
    boolean joinSelfWithoutSeedNodes, Duration gatewayStartTimeout, Management management, Alerts alerts) {

  /** {@code fleetpulse.node.management}: Pekko Management's HTTP endpoints and the cluster bootstrap. */
  public record Management(boolean enabled, boolean clusterBootstrap, Duration startTimeout) {}

  /** {@code fleetpulse.node.alerts}: how alert changes are published and streamed. */
  public record Alerts(int mqttQos, int feedCapacity, Duration streamPollInterval, int streamBatch,
      Duration streamKeepAlive) {}

  public static final String CONFIG_PATH = "fleetpulse.node";

  public static NodeSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new NodeSettings(
        c.getString("name"),
        c.getString("http.interface"),
        c.getInt("http.port"),
        c.getDuration("http.termination-deadline"),
        c.getBoolean("join-self-without-seed-nodes"),
        c.getDuration("gateway-start-timeout"),
        new Management(c.getBoolean("management.enabled"), c.getBoolean("management.cluster-bootstrap"),
            c.getDuration("management.start-timeout")),
        new Alerts(c.getInt("alerts.mqtt-qos"), c.getInt("alerts.feed-capacity"),
            c.getDuration("alerts.stream-poll-interval"), c.getInt("alerts.stream-batch"),
            c.getDuration("alerts.stream-keep-alive")));
  }
}
