package io.fleetpulse.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.gateway.registry.RegistryView;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded HiveMQ CE broker with FleetPulse's access extension, over real MQTT 5
 * connections: who may connect, publish and subscribe, and what a revocation or the end of a
 * rotation's grace period does to a live connection. The registry view is fed directly, as the
 * control plane feeds it; the clock is the test's.
 */
class BrokerAccessIT {

  private static final long WAIT = 10_000;
  private static final int BAD_USER_NAME_OR_PASSWORD = 0x86;
  private static final int NOT_AUTHORIZED = 0x87;
  private static final int CLIENT_ID_NOT_VALID = 0x85;

  @TempDir
  Path directory;

  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private GatewaySettings settings;
  private RegistryView registry;
  private MqttAccess access;
  private EmbeddedBroker broker;
  private final String pumpSecret = Secrets.newSecret();
  private final String gatewaySecret = Secrets.newSecret();
  private final String consumerSecret = Secrets.newSecret();

  @BeforeEach
  void start() throws IOException {
    Config config = ConfigFactory.parseString("""
        fleetpulse.gateway.broker.url = "tcp://127.0.0.1:%d"
        fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
        fleetpulse.gateway.broker.embedded-broker.persistence = in-memory
        fleetpulse.gateway.broker.embedded-broker.tls.port = %d
        """.formatted(freePort(), directory.toString().replace("\\", "/"), freePort())).withFallback(ConfigFactory.load());
    settings = GatewaySettings.fromConfig(config).withServiceSecret();
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    registry = new RegistryView(settings.registration(), profiles);
    registry.apply(entry("rm-1", "plant-1", "rotating-machine", 1, credential(pumpSecret, Long.MAX_VALUE)));
    registry.apply(entry("rm-9", "plant-2", "rotating-machine", 1, credential(Secrets.newSecret(), Long.MAX_VALUE)));
    registry.apply(entry("gw-1", "plant-1", "edge-gateway", 1, credential(gatewaySecret, Long.MAX_VALUE)));
    registry.apply(entry("scada-1", "plant-1", "alert-consumer", 1, credential(consumerSecret, Long.MAX_VALUE)));
    access = new MqttAccess(registry, profiles, settings.broker().username(), settings.broker().password(), now::get);
    access.ready();
    broker = EmbeddedBroker.start(settings.broker(), access);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void connect_needs_a_registered_name_its_secret_and_a_client_id_under_that_name() throws Exception {
    assertThat(refusedConnect("anyone", null, null)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusedConnect("rm-1", "rm-1", "wrong")).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusedConnect("rm-404", "rm-404", pumpSecret)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
    assertThat(refusedConnect("rm-9", "rm-1", pumpSecret)).as("another device's client id").isEqualTo(CLIENT_ID_NOT_VALID);
    assertThat(refusedConnect(settings.mqtt().clientId("node-1", 0), "rm-1", pumpSecret))
        .as("the gateway's client id").isEqualTo(CLIENT_ID_NOT_VALID);
    assertThat(refusedConnect(settings.mqtt().clientId("node-1", 0), settings.broker().username(), "guess"))
        .isEqualTo(BAD_USER_NAME_OR_PASSWORD);

    connect("rm-1-main", "rm-1", pumpSecret).disconnect().waitForCompletion(WAIT);
    assertThat(access.counters().count(AccessRefusal.ANONYMOUS)).isEqualTo(1);
    assertThat(access.counters().count(AccessRefusal.BAD_SECRET)).isEqualTo(2);
    assertThat(access.counters().count(AccessRefusal.UNKNOWN)).isEqualTo(1);
    assertThat(access.counters().count(AccessRefusal.CLIENT_ID)).isEqualTo(2);
    assertThat(access.counters().ofClient("rm-1")).containsEntry("auth.bad-secret", 1L);
  }

  @Test
  void a_device_publishes_only_under_its_own_topic_and_subscribes_only_to_its_own_commands() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    MqttAsyncClient service = connect(settings.mqtt().clientId("node-1", 0), settings.broker().username(),
        settings.broker().password());
    service.setCallback(new Collecting(seen, new CountDownLatch(1)));
    service.subscribe(new MqttSubscription("$share/fleetpulse/fleet/+/+/telemetry", 1)).waitForCompletion(WAIT);

    MqttAsyncClient pump = connect("rm-1", "rm-1", pumpSecret);
    assertThat(publish(pump, "fleet/plant-1/rm-1/telemetry")).isLessThan(0x80);
    assertThat(refusedPublish("rm-1", pumpSecret, "fleet/plant-2/rm-9/telemetry")).as("another device's topic").isTrue();
    assertThat(refusedPublish("rm-1", pumpSecret, "fleet/plant-2/rm-1/telemetry")).as("another site").isTrue();
    assertThat(refusedPublish("rm-1", pumpSecret, "fleet/plant-1/alerts")).as("the node's alerts").isTrue();
    assertThat(refusedPublish("rm-1", pumpSecret, "fleet/plant-1/rm-1/dead-letter")).as("the node's dead letters").isTrue();
    assertThat(seen.poll(5, TimeUnit.SECONDS)).isEqualTo("fleet/plant-1/rm-1/telemetry");
    assertThat(seen.poll(1, TimeUnit.SECONDS)).as("nothing refused was delivered").isNull();

    assertThat(subscribe(pump, "fleet/plant-1/rm-1/commands")).isLessThan(0x80);
    assertThat(subscribe(pump, "fleet/#")).isEqualTo(NOT_AUTHORIZED);
    assertThat(subscribe(pump, "fleet/plant-2/rm-9/commands")).isEqualTo(NOT_AUTHORIZED);
    assertThat(subscribe(pump, "$share/fleetpulse/fleet/+/+/telemetry")).as("the gateway's share").isEqualTo(NOT_AUTHORIZED);
    assertThat(access.counters().ofClient("rm-1")).containsEntry("publish.denied", 4L).containsEntry("subscribe.denied", 3L);
    pump.disconnect().waitForCompletion(WAIT);
    service.disconnect().waitForCompletion(WAIT);
  }

  @Test
  void an_edge_gateway_publishes_for_its_sites_devices_and_an_alert_consumer_reads_its_sites_alerts() throws Exception {
    MqttAsyncClient gateway = connect("gw-1-uplink", "gw-1", gatewaySecret);
    assertThat(publish(gateway, "fleet/plant-1/rm-1/telemetry")).isLessThan(0x80);
    assertThat(publish(gateway, "fleet/plant-1/rm-new/telemetry")).as("a device not registered yet").isLessThan(0x80);
    assertThat(refusedPublish("gw-1", gatewaySecret, "fleet/plant-2/rm-9/telemetry")).as("another site's device").isTrue();
    assertThat(refusedPublish("gw-1", gatewaySecret, "fleet/plant-1/rm-9/telemetry")).as("registered at another site").isTrue();
    assertThat(refusedPublish("gw-1", gatewaySecret, "fleet/plant-1/scada-1/telemetry")).as("not a device").isTrue();
    assertThat(subscribe(gateway, "fleet/plant-1/+/dead-letter")).isLessThan(0x80);
    assertThat(subscribe(gateway, "fleet/+/+/dead-letter")).isEqualTo(NOT_AUTHORIZED);
    gateway.disconnect().waitForCompletion(WAIT);

    MqttAsyncClient consumer = connect("scada-1", "scada-1", consumerSecret);
    assertThat(subscribe(consumer, "fleet/plant-1/alerts")).isLessThan(0x80);
    assertThat(subscribe(consumer, "fleet/plant-2/alerts")).isEqualTo(NOT_AUTHORIZED);
    assertThat(subscribe(consumer, "fleet/plant-1/rm-1/telemetry")).isEqualTo(NOT_AUTHORIZED);
    consumer.disconnect().waitForCompletion(WAIT);
    assertThat(refusedPublish("scada-1", consumerSecret, "fleet/plant-1/scada-1/telemetry")).isTrue();
  }

  @Test
  void a_revocation_disconnects_the_live_session_and_refuses_the_next_connect() throws Exception {
    MqttAsyncClient pump = connect("rm-1", "rm-1", pumpSecret);
    CountDownLatch disconnected = new CountDownLatch(1);
    pump.setCallback(new Collecting(new LinkedBlockingQueue<>(), disconnected));

    registry.apply(entry("rm-1", "plant-1", "rotating-machine", 2));

    assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("the live session ended").isTrue();
    assertThat(refusedConnect("rm-1", "rm-1", pumpSecret)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
    assertThat(access.counters().ofClient("rm-1")).containsEntry("auth.no-credential", 1L);
  }

  @Test
  void a_rotated_secret_is_accepted_during_the_grace_period_and_refused_after() throws Exception {
    String next = Secrets.newSecret();
    long graceEnds = now.get() + 60_000;
    registry.apply(entry("rm-1", "plant-1", "rotating-machine", 2, credential(pumpSecret, graceEnds),
        credential(next, Long.MAX_VALUE)));

    MqttAsyncClient old = connect("rm-1-old", "rm-1", pumpSecret);
    connect("rm-1-new", "rm-1", next).disconnect().waitForCompletion(WAIT);
    assertThat(publish(old, "fleet/plant-1/rm-1/telemetry")).isLessThan(0x80);

    now.set(graceEnds);
    assertThat(refusedConnect("rm-1-later", "rm-1", pumpSecret)).isEqualTo(BAD_USER_NAME_OR_PASSWORD);
    CountDownLatch disconnected = new CountDownLatch(1);
    old.setCallback(new Collecting(new LinkedBlockingQueue<>(), disconnected));
    try {
      publish(old, "fleet/plant-1/rm-1/telemetry");
    } catch (MqttException e) {
      // the broker ends the connection instead of acknowledging
    }
    assertThat(disconnected.await(10, TimeUnit.SECONDS)).as("the old secret's session ended at its next publish").isTrue();
    connect("rm-1-new", "rm-1", next).disconnect().waitForCompletion(WAIT);
  }

  @Test
  void over_tls_a_device_signs_in_with_its_secret_or_with_a_certificate_of_the_fleets_ca() throws Exception {
    String tlsUrl = "ssl://127.0.0.1:" + settings.broker().embeddedBroker().tlsPort();
    io.fleetpulse.gateway.tls.LocalCa ca = broker.tls().orElseThrow();

    MqttAsyncClient withSecret = new MqttAsyncClient(tlsUrl, "rm-1-tls", new MemoryPersistence());
    MqttConnectionOptions options = tlsOptions(ca, null);
    options.setUserName("rm-1");
    options.setPassword(pumpSecret.getBytes(StandardCharsets.UTF_8));
    withSecret.connect(options).waitForCompletion(WAIT);
    assertThat(publish(withSecret, "fleet/plant-1/rm-1/telemetry")).isLessThan(0x80);
    withSecret.disconnect().waitForCompletion(WAIT);

    // rm-9 has a certificate of the fleet's CA (CN = rm-9): no secret needed.
    MqttAsyncClient withCertificate = new MqttAsyncClient(tlsUrl, "rm-9", new MemoryPersistence());
    withCertificate.connect(tlsOptions(ca, ca.issueDevice("rm-9", "pw".toCharArray()))).waitForCompletion(WAIT);
    assertThat(publish(withCertificate, "fleet/plant-2/rm-9/telemetry")).isLessThan(0x80);
    withCertificate.disconnect().waitForCompletion(WAIT);

    MqttAsyncClient impostor = new MqttAsyncClient(tlsUrl, "rm-1", new MemoryPersistence());
    assertThatThrownBy(() -> impostor.connect(tlsOptions(ca, ca.issueDevice("rm-9", "pw".toCharArray())))
        .waitForCompletion(WAIT)).as("rm-9's certificate under rm-1's client id").isInstanceOf(MqttException.class);
    MqttAsyncClient stranger = new MqttAsyncClient(tlsUrl, "rm-404", new MemoryPersistence());
    assertThatThrownBy(() -> stranger.connect(tlsOptions(ca, ca.issueDevice("rm-404", "pw".toCharArray())))
        .waitForCompletion(WAIT)).as("a certificate of a device not registered").isInstanceOf(MqttException.class);
    io.fleetpulse.gateway.tls.LocalCa other = io.fleetpulse.gateway.tls.LocalCa.open(directory.resolve("other-ca"),
        List.of("127.0.0.1"));
    MqttAsyncClient foreign = new MqttAsyncClient(tlsUrl, "rm-9", new MemoryPersistence());
    assertThatThrownBy(() -> foreign.connect(tlsOptions(ca, other.issueDevice("rm-9", "pw".toCharArray())))
        .waitForCompletion(WAIT)).as("a certificate of another CA").isInstanceOf(MqttException.class);
  }

  /** TLS that trusts the fleet's CA, presenting {@code identity}'s key and certificate when given. */
  private static MqttConnectionOptions tlsOptions(io.fleetpulse.gateway.tls.LocalCa ca, java.security.KeyStore identity)
      throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.caCertificate());
    javax.net.ssl.TrustManagerFactory trustManagers =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    javax.net.ssl.KeyManager[] keyManagers = null;
    if (identity != null) {
      javax.net.ssl.KeyManagerFactory factory =
          javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      factory.init(identity, "pw".toCharArray());
      keyManagers = factory.getKeyManagers();
    }
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(keyManagers, trustManagers.getTrustManagers(), null);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setSocketFactory(context.getSocketFactory());
    return options;
  }

  private static RegistryEntry entry(String id, String site, String profile, long revision, Credential... credentials) {
    return new RegistryEntry(id, site, profile, false, false, revision, 0, List.of(credentials));
  }

  private static Credential credential(String secret, long notAfter) {
    return new Credential(Secrets.hash(secret, 1000), notAfter);
  }

  private MqttAsyncClient connect(String clientId, String username, String secret) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(settings.broker().url(), clientId, new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    if (username != null) {
      options.setUserName(username);
    }
    if (secret != null) {
      options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
    }
    client.connect(options).waitForCompletion(WAIT);
    return client;
  }

  /** The CONNACK's reason code of a refused CONNECT. */
  private int refusedConnect(String clientId, String username, String secret) {
    Throwable[] failure = new Throwable[1];
    assertThatThrownBy(() -> connect(clientId, username, secret)).isInstanceOfSatisfying(MqttException.class,
        e -> failure[0] = e);
    return ((MqttException) failure[0]).getReasonCode();
  }

  /** The PUBACK's reason code. */
  private static int publish(MqttAsyncClient client, String topic) throws MqttException {
    MqttMessage message = new MqttMessage("{}".getBytes(StandardCharsets.UTF_8));
    message.setQos(1);
    IMqttToken token = client.publish(topic, message);
    token.waitForCompletion(WAIT);
    int[] codes = token.getReasonCodes();
    return codes == null || codes.length == 0 ? 0 : codes[0];
  }

  /**
   * Whether a PUBLISH to {@code topic} by a fresh connection of {@code name} is refused: HiveMQ CE
   * answers an MQTT 5 client's refused QoS 1 PUBLISH with a PUBACK of NOT_AUTHORIZED and then ends
   * the connection, so the client sees one or the other first.
   */
  private boolean refusedPublish(String name, String secret, String topic) throws Exception {
    MqttAsyncClient client = connect(name + "-probe", name, secret);
    CountDownLatch disconnected = new CountDownLatch(1);
    client.setCallback(new Collecting(new LinkedBlockingQueue<>(), disconnected));
    try {
      return publish(client, topic) == NOT_AUTHORIZED || disconnected.await(10, TimeUnit.SECONDS);
    } catch (MqttException e) {
      return e.getReasonCode() == NOT_AUTHORIZED || disconnected.getCount() == 0;
    } finally {
      try {
        client.disconnectForcibly(0, 1000, false);
      } catch (MqttException e) {
        // already disconnected by the broker
      }
      client.close(true);
    }
  }

  /** The SUBACK's reason code. */
  private static int subscribe(MqttAsyncClient client, String filter) throws MqttException {
    IMqttToken token = client.subscribe(new MqttSubscription(filter, 1));
    token.waitForCompletion(WAIT);
    return token.getReasonCodes()[0];
  }

  private record Collecting(BlockingQueue<String> topics, CountDownLatch disconnected) implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      disconnected.countDown();
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      topics.add(topic);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
