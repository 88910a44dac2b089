package io.fleetpulse.gateway;

import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.TelemetrySink;
import io.fleetpulse.api.telemetry.TelemetryStore;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.ingest.DeadLetters;
import io.fleetpulse.gateway.ingest.DeviceQuotas;
import io.fleetpulse.gateway.ingest.GatewayMetrics;
import io.fleetpulse.gateway.ingest.IngestPipeline;
import io.fleetpulse.gateway.ingest.RateMeter;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.gateway.mqtt.MqttGateway;
import io.fleetpulse.gateway.registry.DeviceRegistry;
import io.fleetpulse.gateway.validate.TelemetryValidator;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gateway of one node, assembled: the MQTT subscriber connections, the ingest pipeline behind
 * them, its metrics, its devices' quotas and its retry scheduler (which also drops refilled quota
 * buckets). The embedded broker, when configured, is started
 * separately ({@link #startEmbeddedBroker}) because it must be up before the node's other parts
 * and stopped after them.
 */
public final class DeviceGateway implements AutoCloseable {

  private final MqttGateway mqtt;
  private final GatewayMetrics metrics;
  private final ScheduledExecutorService scheduler;
  private CompletionStage<Void> subscribed;

  private DeviceGateway(MqttGateway mqtt, GatewayMetrics metrics, ScheduledExecutorService scheduler) {
    this.mqtt = mqtt;
    this.metrics = metrics;
    this.scheduler = scheduler;
  }

  /**
   * Starts the embedded broker when the settings ask for one, its access decided by {@code
   * access} (give the settings {@link GatewaySettings#withServiceSecret()} first).
   */
  public static Optional<EmbeddedBroker> startEmbeddedBroker(GatewaySettings settings, MqttAccess access) {
    return settings.broker().embedded() ? Optional.of(EmbeddedBroker.start(settings.broker(), access)) : Optional.empty();
  }

  /**
   * Builds the gateway and starts connecting; the returned gateway is usable at once, {@link
   * #subscribed()} completes when every connection has subscribed.
   */
  public static DeviceGateway start(
      GatewaySettings settings, DeviceProfiles profiles, DeviceRegistry registry, TelemetryStore store,
      TelemetrySink sink, String nodeName, Clock clock) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(runnable -> {
          Thread thread = new Thread(runnable, "fleetpulse-gateway-scheduler");
          thread.setDaemon(true);
          return thread;
        });
    GatewayMetrics metrics = new GatewayMetrics(new RateMeter(10, clock::millis));
    TelemetryValidator validator = new TelemetryValidator(settings.validation(), registry, profiles);
    DeadLetters deadLetters = new DeadLetters(settings.deadLetter(), settings.ingest(), scheduler);
    // Quotas measure elapsed time: the monotonic clock, which no NTP step moves.
    DeviceQuotas quotas = new DeviceQuotas(settings.rateLimiting(), profiles, System::nanoTime);
    if (quotas.enabled()) {
      long sweep = settings.rateLimiting().sweepInterval().toMillis();
      scheduler.scheduleWithFixedDelay(quotas::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
    }
    IngestPipeline pipeline =
        new IngestPipeline(validator, store, sink, deadLetters, metrics, settings.ingest(), scheduler, clock, quotas);
    MqttGateway mqtt = new MqttGateway(settings, nodeName, pipeline, scheduler, () -> metrics.snapshot().inFlight());
    DeviceGateway gateway = new DeviceGateway(mqtt, metrics, scheduler);
    gateway.subscribed = mqtt.start();
    return gateway;
  }

  public CompletionStage<Void> subscribed() {
    return subscribed;
  }

  public boolean isReady() {
    return mqtt.isReady();
  }

  /**
   * Publishes a message of the node's own (alerts, commands) over the gateway's broker
   * connections; completes when the broker has it at {@code qos}.
   */
  public CompletionStage<Void> publish(String topic, byte[] payload, int qos) {
    return mqtt.publish(topic, payload, qos);
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  /** Drains in-flight messages, disconnects and stops the retry scheduler. Blocks up to the drain timeout. */
  @Override
  public void close() {
    mqtt.close();
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
