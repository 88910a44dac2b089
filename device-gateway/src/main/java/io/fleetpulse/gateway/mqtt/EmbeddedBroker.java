package io.fleetpulse.gateway.mqtt;

import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.embedded.EmbeddedHiveMQBuilder;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.auth.BrokerAccessExtension;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.tls.LocalCa;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HiveMQ Community Edition running inside the node: the default broker of a single-node run.
 * Its sessions and queues live in a file store under the configured data directory, so
 * unacknowledged messages survive a restart of the node. For production, point the gateway at an
 * external broker cluster instead ({@code fleetpulse.gateway.broker.embedded = false}).
 */
public final class EmbeddedBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final EmbeddedHiveMQ hivemq;
  private final int port;
  private final Optional<LocalCa> tls;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, int port, Optional<LocalCa> tls) {
    this.hivemq = hivemq;
    this.port = port;
    this.tls = tls;
  }

  /** The local CA behind the TLS listener; empty when it has none. */
  public Optional<LocalCa> tls() {
    return tls;
  }

  /**
   * Starts a broker listening on the port of {@code settings.url()}, with {@code access} deciding
   * every CONNECT, PUBLISH and SUBSCRIBE ({@link BrokerAccessExtension}); blocks until it accepts clients.
   */
  public static EmbeddedBroker start(GatewaySettings.Broker settings, MqttAccess access) {
    return start(settings, Optional.of(access));
  }

  /**
   * Starts a broker with no access control at all: anonymous clients may publish and subscribe to
   * anything. Only for tests and tools that run a broker outside every node (no registry view to
   * check clients against); a node never starts one.
   */
  public static EmbeddedBroker startOpen(GatewaySettings.Broker settings) {
    LOG.warn("starting an embedded broker WITHOUT access control: any client may publish and subscribe to anything");
    return start(settings, Optional.empty());
  }

  private static EmbeddedBroker start(GatewaySettings.Broker settings, Optional<MqttAccess> access) {
    int port = URI.create(settings.url()).getPort();
    if (port <= 0) {
      throw new IllegalArgumentException("broker url '" + settings.url() + "' names no port");
    }
    GatewaySettings.EmbeddedBroker embedded = settings.embeddedBroker();
    Path data = embedded.dataDirectory().toAbsolutePath();
    Path configFolder = data.resolve("conf");
    Path extensions = data.resolve("extensions");
    Optional<LocalCa> tls = embedded.tlsPort() > 0
        ? Optional.of(LocalCa.open(data.resolve("tls"), embedded.tlsHostNames())) : Optional.empty();
    try {
      Files.createDirectories(configFolder);
      Files.createDirectories(extensions);
      Files.createDirectories(data.resolve("data"));
      Files.writeString(configFolder.resolve("config.xml"), configXml(embedded, port, tls), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare the embedded broker's folder " + data, e);
    }
    EmbeddedHiveMQBuilder builder =
        EmbeddedHiveMQ.builder()
            .withConfigurationFolder(configFolder)
            .withDataFolder(data.resolve("data"))
            .withExtensionsFolder(extensions)
            .withoutLoggingBootstrap();
    access.ifPresent(a -> builder.withEmbeddedExtension(BrokerAccessExtension.embedded(a)));
    EmbeddedHiveMQ hivemq = builder.build();
    try {
      hivemq.start().get(embedded.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(hivemq);
      throw new IllegalStateException("interrupted while starting the embedded broker", e);
    } catch (ExecutionException | TimeoutException e) {
      closeQuietly(hivemq);
      throw new IllegalStateException(
          "the embedded MQTT broker did not start on " + embedded.bindAddress() + ":" + port + ": " + e.getMessage(), e);
    }
    LOG.info("embedded HiveMQ CE broker listening on {}:{}{} (data in {})", embedded.bindAddress(), port,
        tls.map(ca -> ", TLS on " + embedded.tlsPort() + " (clients trust " + ca.caCertificatePem() + ")").orElse(""), data);
    return new EmbeddedBroker(hivemq, port, tls);
  }

  static String configXml(GatewaySettings.EmbeddedBroker settings, int port, Optional<LocalCa> tls) {
    String tlsListener = tls.map(ca -> """
            <tls-tcp-listener>
              <port>%d</port>
              <bind-address>%s</bind-address>
              <tls>
                <keystore>
                  <path>%s</path>
                  <password>%s</password>
                  <private-key-password>%s</private-key-password>
                </keystore>
                <truststore>
                  <path>%s</path>
                  <password>%s</password>
                </truststore>
                <client-authentication-mode>OPTIONAL</client-authentication-mode>
              </tls>
            </tls-tcp-listener>
        """.formatted(settings.tlsPort(), settings.bindAddress(), ca.brokerKeyStore(), ca.keyStorePassword(),
            ca.keyStorePassword(), ca.trustStore(), ca.keyStorePassword())).orElse("");
    return """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener>
              <port>%d</port>
              <bind-address>%s</bind-address>
            </tcp-listener>
        %s  </listeners>
          <mqtt>
            <queued-messages>
              <max-queue-size>%d</max-queue-size>
              <strategy>discard</strategy>
            </queued-messages>
            <receive-maximum>
              <server-receive-maximum>%d</server-receive-maximum>
            </receive-maximum>
            <packets>
              <max-packet-size>%d</max-packet-size>
            </packets>
          </mqtt>
          <persistence>
            <mode>%s</mode>
          </persistence>
          <anonymous-usage-statistics>
            <enabled>false</enabled>
          </anonymous-usage-statistics>
        </hivemq>
        """
        .formatted(port, settings.bindAddress(), tlsListener, settings.maxQueueSize(), settings.serverReceiveMaximum(), settings.maxPacketSize(),
            settings.persistence());
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      hivemq.stop().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("embedded broker did not stop cleanly: {}", e.toString());
    } finally {
      closeQuietly(hivemq);
    }
  }

  private static void closeQuietly(EmbeddedHiveMQ hivemq) {
    try {
      hivemq.close();
    } catch (Exception e) {
      LOG.debug("closing the embedded broker: {}", e.toString());
    }
  }
}
