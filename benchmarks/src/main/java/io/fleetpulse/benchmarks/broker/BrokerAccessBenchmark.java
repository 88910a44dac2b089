package io.fleetpulse.benchmarks.broker;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.auth.Secrets;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.gateway.registry.RegistryView;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * What the embedded broker's access control costs, in one JVM and one run: the same broker with
 * {@link MqttAccess} and without any ("open"), and with it over the TLS listener, each measured for CONNECTs per second ({@code
 * clients} devices, each with its own secret, {@value #CONNECT_PARALLELISM} connecting at a time)
 * and for QoS 1 PUBLISHes per second into it ({@code messages} from {@value #PUBLISHERS}
 * devices, each authorised and acknowledged; one subscriber with the gateway's identity takes them), with this process's CPU time per
 * CONNECT and per message (broker and clients share the process, as they share the machine).
 *
 * <p>Usage: {@code BrokerAccessBenchmark [clients=500] [messages=200000] [iterations=10000]}
 */
public final class BrokerAccessBenchmark {

  private static final int CONNECT_PARALLELISM = 16;
  private static final int PUBLISHERS = 10;
  private static final int PUBLISH_WINDOW = 200;
  private static final String SITE = "plant-1";

  private BrokerAccessBenchmark() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    List<String> secrets = new ArrayList<>(clients);
    List<Credential> credentials = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) {
      String secret = Secrets.newSecret();
      secrets.add(secret);
      credentials.add(new Credential(Secrets.hash(secret, iterations), Long.MAX_VALUE));
    }
    System.out.printf(Locale.ROOT, "%d clients, %d messages, PBKDF2 %d iterations, %d processors%n", clients, messages,
        iterations, Runtime.getRuntime().availableProcessors());
    for (int round = 1; round <= 2; round++) { // the first round warms the JVM up
      for (Mode mode : Mode.values()) {
        Result result = measure(mode, clients, messages, secrets, credentials);
        if (round == 2) {
          System.out.printf(Locale.ROOT, "%-10s connects/s %8.1f  cpu/connect %7.3f ms  publishes/s %9.1f  cpu/message %6.1f us%n",
              mode.label, result.connectsPerSecond(), result.cpuPerConnectMillis(),
              result.publishesPerSecond(), result.cpuPerMessageMicros());
        }
      }
    }
    System.exit(0);
  }

  /** The broker without access control, with it, and with it over its TLS listener. */
  private enum Mode {
    OPEN("open"), ACCESS("access"), ACCESS_TLS("access+tls");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  private record Result(double connectsPerSecond, double cpuPerConnectMillis, double publishesPerSecond,
      double cpuPerMessageMicros) {}

  private static Result measure(Mode mode, int clients, int messages, List<String> secrets,
      List<Credential> credentials) throws Exception {
    boolean controlled = mode != Mode.OPEN;
    Path data = Files.createTempDirectory("broker-access-bench");
    Config config = ConfigFactory.parseString("""
        fleetpulse.gateway.broker.url = "tcp://127.0.0.1:%d"
        fleetpulse.gateway.broker.embedded-broker.data-directory = "%s"
        fleetpulse.gateway.broker.embedded-broker.persistence = in-memory
        fleetpulse.gateway.broker.embedded-broker.tls.port = %d
        """.formatted(freePort(), data.toString().replace("\\", "/"), mode == Mode.ACCESS_TLS ? freePort() : 0))
        .withFallback(ConfigFactory.load());
    GatewaySettings settings = GatewaySettings.fromConfig(config).withServiceSecret();
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    RegistryView registry = new RegistryView(settings.registration(), profiles);
    for (int i = 0; i < clients; i++) {
      registry.apply(new RegistryEntry(device(i), SITE, "rotating-machine", false, false, 1, 0,
          List.of(credentials.get(i))));
    }
    MqttAccess access = new MqttAccess(registry, profiles, settings.broker().username(), settings.broker().password(),
        System::currentTimeMillis);
    access.ready();
    try (EmbeddedBroker broker = controlled ? EmbeddedBroker.start(settings.broker(), access)
        : EmbeddedBroker.startOpen(settings.broker())) {
      String url = mode == Mode.ACCESS_TLS ? "ssl://127.0.0.1:" + settings.broker().embeddedBroker().tlsPort()
          : settings.broker().url();
      javax.net.SocketFactory sockets = mode == Mode.ACCESS_TLS ? trusting(broker.tls().orElseThrow().caCertificate())
          : null;
      // CONNECTs
      List<MqttAsyncClient> connected = new ArrayList<>(clients);
      Semaphore parallel = new Semaphore(CONNECT_PARALLELISM);
      CountDownLatch all = new CountDownLatch(clients);
      AtomicLong failed = new AtomicLong();
      long cpu0 = cpuNanos();
      long t0 = System.nanoTime();
      for (int i = 0; i < clients; i++) {
        parallel.acquire();
        MqttAsyncClient client = new MqttAsyncClient(url, device(i), new MemoryPersistence());
        connected.add(client);
        client.connect(options(device(i), secrets.get(i), sockets), null, new MqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            parallel.release();
            all.countDown();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable failure) {
            failed.incrementAndGet();
            parallel.release();
            all.countDown();
          }
        });
      }
      all.await(10, TimeUnit.MINUTES);
      double connectSeconds = (System.nanoTime() - t0) / 1e9;
      double connectCpu = (cpuNanos() - cpu0) / 1e6 / clients;
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " CONNECTs failed");
      }

      // PUBLISHes: devices 0..9 publish, the gateway's identity receives.
      AtomicLong received = new AtomicLong();
      AtomicLong acknowledged = new AtomicLong();
      AtomicLong publishFailures = new AtomicLong();
      MqttAsyncClient subscriber = new MqttAsyncClient(url, settings.mqtt().clientId("bench", 0), new MemoryPersistence());
      subscriber.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
        @Override
        public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {}

        @Override
        public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {}

        @Override
        public void messageArrived(String topic, MqttMessage message) {
          received.incrementAndGet();
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {}

        @Override
        public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {}
      });
      MqttConnectionOptions serviceOptions = options(settings.broker().username(), settings.broker().password(), sockets);
      serviceOptions.setReceiveMaximum(1000);
      subscriber.connect(serviceOptions).waitForCompletion(10_000);
      subscriber.subscribe(new MqttSubscription("fleet/+/+/telemetry", 1)).waitForCompletion(10_000);
      byte[] payload = "{\"ts\":1765090000000,\"seq\":1,\"values\":{\"vibration\":2.5,\"speed\":1500}}"
          .getBytes(StandardCharsets.UTF_8);
      Semaphore window = new Semaphore(PUBLISH_WINDOW);
      cpu0 = cpuNanos();
      t0 = System.nanoTime();
      for (int m = 0; m < messages; m++) {
        int publisher = m % PUBLISHERS;
        window.acquire();
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        connected.get(publisher).publish("fleet/" + SITE + "/" + device(publisher) + "/telemetry", message, null,
            new MqttActionListener() {
              @Override
              public void onSuccess(IMqttToken token) {
                acknowledged.incrementAndGet();
                window.release();
              }

              @Override
              public void onFailure(IMqttToken token, Throwable failure) {
                publishFailures.incrementAndGet();
                window.release();
              }
            });
      }
      window.acquire(PUBLISH_WINDOW); // every publish answered by the broker (PUBACK: authorised and routed)
      double publishSeconds = (System.nanoTime() - t0) / 1e9;
      double publishCpu = (cpuNanos() - cpu0) / 1e3 / messages;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (received.get() < acknowledged.get() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      System.out.printf(Locale.ROOT, "%-10s %d publishes acknowledged, %d failed, %d delivered to the subscriber%n",
          mode.label, acknowledged.get(), publishFailures.get(), received.get());
      subscriber.disconnectForcibly(1000);
      for (MqttAsyncClient client : connected) {
        client.disconnectForcibly(0, 1000, false);
        client.close(true);
      }
      return new Result(clients / connectSeconds, connectCpu, acknowledged.get() / publishSeconds, publishCpu);
    }
  }

  private static MqttConnectionOptions options(String username, String secret, javax.net.SocketFactory sockets) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    if (sockets != null) {
      options.setSocketFactory(sockets);
    }
    options.setUserName(username);
    options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
    options.setConnectionTimeout(60);
    options.setMaxReconnectDelay(1000);
    return options;
  }

  private static javax.net.SocketFactory trusting(java.security.cert.X509Certificate ca) throws Exception {
    java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca);
    javax.net.ssl.TrustManagerFactory factory =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context.getSocketFactory();
  }

  private static String device(int index) {
    return String.format(Locale.ROOT, "rm-bench-%05d", index);
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
