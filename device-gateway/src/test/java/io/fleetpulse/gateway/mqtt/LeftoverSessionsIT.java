package io.fleetpulse.gateway.mqtt;

import static io.fleetpulse.gateway.mqtt.BrokerSessions.embeddedBroker;
import static io.fleetpulse.gateway.mqtt.BrokerSessions.leaveSharedSession;
import static io.fleetpulse.gateway.mqtt.BrokerSessions.sessionPresent;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetrySink;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.auth.Secrets;
import io.fleetpulse.gateway.ingest.DeadLetters;
import io.fleetpulse.gateway.ingest.GatewayMetrics;
import io.fleetpulse.gateway.ingest.IngestPipeline;
import io.fleetpulse.gateway.ingest.RateMeter;
import io.fleetpulse.gateway.registry.RegistryView;
import io.fleetpulse.gateway.validate.TelemetryValidator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@link MqttGateway}, against a real embedded HiveMQ CE, started where a shared run of
 * the same node left its sessions behind (both connections in the share group): the exclusive
 * subscriber leaves the share group on its own connection, so every message reaches the node once
 * and not once more through the group, and it ends the session of the connection it no longer
 * uses. {@link SessionEndIT} checks ending one session; this checks that the gateway does both.
 */
class LeftoverSessionsIT {

  private static final int MESSAGES = 5;

  @TempDir
  Path directory;

  @Test
  void an_exclusive_gateway_leaves_the_share_group_and_ends_the_unused_session_a_shared_run_left() throws Exception {
    Config config = embeddedBroker(directory);
    GatewaySettings settings = GatewaySettings.fromConfig(config).withServiceSecret();
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    RegistryView registry = new RegistryView(settings.registration(), profiles);
    String deviceSecret = Secrets.newSecret();
    registry.apply(new RegistryEntry("rm-1", "plant-1", "rotating-machine", false, false, 1, System.currentTimeMillis(),
        List.of(new Credential(Secrets.hash(deviceSecret, 1000), Long.MAX_VALUE))));
    assertThat(settings.mqtt().exclusive(true)).as("the default sharing with the embedded broker").isTrue();
    String used = settings.mqtt().clientId("node-1", 0);
    List<String> unused = settings.mqtt().unusedClientIds("node-1", true);
    assertThat(unused).isNotEmpty();

    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    try (EmbeddedBroker broker = BrokerSessions.startBroker(settings, registry, profiles)) {
      for (String clientId : concat(used, unused)) {
        leaveSharedSession(settings, clientId);
      }
      GatewayMetrics metrics = new GatewayMetrics(new RateMeter(10, System::currentTimeMillis));
      MqttGateway gateway = new MqttGateway(settings, "node-1", pipeline(registry, profiles, settings, metrics, scheduler), scheduler, () -> 0);
      try {
        gateway.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // Once the unused sessions are ended, a share group the gateway did not leave has the
        // gateway's connection as its only member, and would hand it a second copy of each message.
        assertThat(gateway.unusedSessionsEnded().toCompletableFuture().get(30, TimeUnit.SECONDS))
            .as("unused sessions ended").isEqualTo(unused.size());
        publish(settings, deviceSecret);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (metrics.snapshot().received() < MESSAGES && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        // a copy through the share group would come at about the same time as the plain one
        Thread.sleep(2_000);
        assertThat(metrics.snapshot().received()).as("deliveries of %d messages", MESSAGES).isEqualTo(MESSAGES);
      } finally {
        gateway.close();
      }
      for (String clientId : unused) {
        assertThat(sessionPresent(settings, clientId)).as("the session of %s", clientId).isFalse();
      }
      assertThat(sessionPresent(settings, used)).as("the gateway's own session").isTrue();
    } finally {
      scheduler.shutdownNow();
    }
  }

  private static IngestPipeline pipeline(RegistryView registry, DeviceProfiles profiles,
      GatewaySettings settings, GatewayMetrics metrics, ScheduledThreadPoolExecutor scheduler) {
    TelemetrySink accepting = new TelemetrySink() {
      @Override
      public CompletionStage<IngestOutcome> deliver(Telemetry telemetry) {
        return CompletableFuture.completedFuture(new IngestOutcome.Accepted(telemetry.device().deviceId(), telemetry.sequence()));
      }

      @Override
      public void recordRejection(DeviceIdentity device, RejectReason reason) {}
    };
    return new IngestPipeline(
        new TelemetryValidator(settings.validation(), registry, profiles),
        telemetry -> CompletableFuture.completedFuture(null),
        accepting,
        new DeadLetters(settings.deadLetter(), settings.ingest(), scheduler),
        metrics,
        settings.ingest(),
        scheduler,
        Clock.systemUTC());
  }

  private static void publish(GatewaySettings settings, String secret) throws Exception {
    MqttAsyncClient device = new MqttAsyncClient(settings.broker().url(), "rm-1-publisher", new MemoryPersistence());
    org.eclipse.paho.mqttv5.client.MqttConnectionOptions options = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
    options.setUserName("rm-1");
    options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
    device.connect(options).waitForCompletion(10_000);
    for (int seq = 1; seq <= MESSAGES; seq++) {
      String payload = "{\"seq\":" + seq + ",\"ts\":" + System.currentTimeMillis() + ",\"values\":{\"vibration\":2.5}}";
      MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
      message.setQos(1);
      device.publish("fleet/plant-1/rm-1/telemetry", message).waitForCompletion(10_000);
    }
    device.disconnect().waitForCompletion(10_000);
    device.close();
  }

  private static List<String> concat(String first, List<String> rest) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
  }
}
