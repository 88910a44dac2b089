package io.fleetpulse.simulator.mqtt;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the simulator's MQTT 5 async clients from a {@code tcp://host:port} broker URL, or an
 * {@code ssl://host:port} one (MQTT over TLS, trusting a given CA or the JVM's).
 */
public final class MqttClients {

  private static final int DEFAULT_MQTT_PORT = 1883;
  private static final int DEFAULT_MQTTS_PORT = 8883;

  private MqttClients() {}

  /**
   * A client that is not yet connected. Clients built with the same {@code executor} share its
   * Netty event loop.
   */
  public static Mqtt5AsyncClient async(URI brokerUrl, String clientId, MqttClientExecutorConfig executor,
      Optional<TrustManagerFactory> trust) {
    boolean tls = isTls(brokerUrl);
    var builder = MqttClient.builder()
        .useMqttVersion5()
        .identifier(clientId)
        .serverHost(brokerUrl.getHost())
        .serverPort(brokerUrl.getPort() > 0 ? brokerUrl.getPort() : tls ? DEFAULT_MQTTS_PORT : DEFAULT_MQTT_PORT)
        .executorConfig(executor);
    if (tls) {
      builder = trust.isPresent() ? builder.sslConfig().trustManagerFactory(trust.get()).applySslConfig()
          : builder.sslWithDefaultConfig();
    }
    return builder.buildAsync();
  }

  /** Whether the URL is MQTT over TLS ({@code ssl://} or {@code mqtts://}). */
  public static boolean isTls(URI brokerUrl) {
    return "ssl".equals(brokerUrl.getScheme()) || "mqtts".equals(brokerUrl.getScheme());
  }

  /** A trust manager factory that trusts the CA certificate(s) in the PEM file {@code caCertificate}. */
  public static TrustManagerFactory trusting(java.nio.file.Path caCertificate) {
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(caCertificate)) {
      java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int n = 0;
      for (java.security.cert.Certificate certificate
          : java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + n++, certificate);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the CA certificate " + caCertificate + ": " + e.getMessage(), e);
    }
  }

  /**
   * A CONNECT with a clean start, as {@code login} when given (an edge gateway's name and secret),
   * anonymously otherwise.
   */
  public static CompletableFuture<Mqtt5ConnAck> connect(Mqtt5AsyncClient client, Optional<MqttLogin> login,
      Duration keepAlive) {
    var connect = client.connectWith().cleanStart(true).keepAlive((int) Math.max(1, keepAlive.toSeconds()));
    return login.isEmpty() ? connect.send()
        : connect.simpleAuth().username(login.get().username())
            .password(login.get().secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send();
  }

  /** The executor shared by all connections of a run; 0 threads keeps the client's default. */
  public static MqttClientExecutorConfig sharedExecutor(int nettyThreads) {
    return nettyThreads > 0
        ? MqttClientExecutorConfig.builder().nettyThreads(nettyThreads).build()
        : MqttClientExecutorConfig.builder().build();
  }
}
