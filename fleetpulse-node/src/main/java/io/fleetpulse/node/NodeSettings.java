package io.fleetpulse.node;

import com.typesafe.config.Config;
import java.time.Duration;

/** The node's own settings ({@code fleetpulse.node}), read once. */
public record NodeSettings(
    String name, String httpInterface, int httpPort, Duration httpTerminationDeadline, java.util.Optional<Https> https,
    boolean joinSelfWithoutSeedNodes, Duration gatewayStartTimeout, Management management, Alerts alerts,
    Metrics metrics) {

  /** {@code fleetpulse.node.http.tls}: the PKCS12 keystore HTTPS is served with. */
  public record Https(java.nio.file.Path keystore, String password) {

    /** The server's TLS context, from the keystore. */
    public javax.net.ssl.SSLContext context() {
      try (java.io.InputStream in = java.nio.file.Files.newInputStream(keystore)) {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(in, password.toCharArray());
        javax.net.ssl.KeyManagerFactory keys =
            javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
      } catch (java.io.IOException | java.security.GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the HTTPS keystore " + keystore.getFileName() + ": " + e.getMessage(), e);
      }
    }
  }

  /** {@code fleetpulse.node.management}: Pekko Management's HTTP endpoints and the cluster bootstrap. */
  public record Management(boolean enabled, boolean clusterBootstrap, Duration startTimeout) {}

  /** {@code fleetpulse.node.alerts}: how alert changes are published and streamed. */
  public record Alerts(int mqttQos, int feedCapacity, int streamBatch, Duration streamKeepAlive, int bulkMaxAlerts,
      int bulkParallelism, int bulkFailuresListed, Duration bulkRequestTimeout) {}

  /** {@code fleetpulse.node.metrics}: meters the node samples rather than counts. */
  public record Metrics(Duration deviceActorsInterval) {}

  public static final String CONFIG_PATH = "fleetpulse.node";

  public static NodeSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new NodeSettings(
        c.getString("name"),
        c.getString("http.interface"),
        c.getInt("http.port"),
        c.getDuration("http.termination-deadline"),
        c.getString("http.tls.keystore").isBlank() ? java.util.Optional.empty() : java.util.Optional.of(new Https(
            java.nio.file.Path.of(c.getString("http.tls.keystore")), c.getString("http.tls.password"))),
        c.getBoolean("join-self-without-seed-nodes"),
        c.getDuration("gateway-start-timeout"),
        new Management(c.getBoolean("management.enabled"), c.getBoolean("management.cluster-bootstrap"),
            c.getDuration("management.start-timeout")),
        new Alerts(c.getInt("alerts.mqtt-qos"), c.getInt("alerts.feed-capacity"), c.getInt("alerts.stream-batch"),
            c.getDuration("alerts.stream-keep-alive"), c.getInt("alerts.bulk-max-alerts"),
            c.getInt("alerts.bulk-parallelism"), c.getInt("alerts.bulk-failures-listed"),
            c.getDuration("alerts.bulk-request-timeout")),
        new Metrics(c.getDuration("metrics.device-actors-interval")));
  }
}
