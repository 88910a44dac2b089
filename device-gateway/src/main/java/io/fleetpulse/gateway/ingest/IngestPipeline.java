package io.fleetpulse.gateway.ingest;

import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetrySink;
import io.fleetpulse.api.telemetry.TelemetryStore;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.validate.TelemetryValidator;
import io.fleetpulse.gateway.validate.ValidationResult;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's path for one inbound message, independent of any MQTT client library: validate,
 * hold the device to its quota ({@link DeviceQuotas}), store durably ({@link TelemetryStore}),
 * deliver to the device's actor through the {@link TelemetrySink} (retrying with back-off until
 * the actor decides), dead-letter rejections, and only then acknowledge to the broker. A message
 * is never acknowledged before its fate is settled, so the broker redelivers whatever a crash
 * interrupts. Called from MQTT client threads; never blocks them.
 */
public final class IngestPipeline {

  private static final Logger LOG = LoggerFactory.getLogger(IngestPipeline.class);

  private final TelemetryValidator validator;
  private final TelemetrySink sink;
  private final TelemetryStore store;
  private final DeadLetters deadLetters;
  private final GatewayMetrics metrics;
  private final GatewaySettings.Ingest settings;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final DeviceQuotas quotas;
  private volatile boolean running = true;

  /** A pipeline that holds no device to a quota. */
  public IngestPipeline(
      TelemetryValidator validator, TelemetryStore store, TelemetrySink sink, DeadLetters deadLetters,
      GatewayMetrics metrics, GatewaySettings.Ingest settings, ScheduledExecutorService scheduler, Clock clock) {
    this(validator, store, sink, deadLetters, metrics, settings, scheduler, clock, DeviceQuotas.unlimited());
  }

  public IngestPipeline(
      TelemetryValidator validator, TelemetryStore store, TelemetrySink sink, DeadLetters deadLetters,
      GatewayMetrics metrics, GatewaySettings.Ingest settings, ScheduledExecutorService scheduler, Clock clock,
      DeviceQuotas quotas) {
    this.quotas = quotas;
    this.validator = validator;
    this.store = store;
    this.sink = sink;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
    this.settings = settings;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /** Handles one message; {@code ack} is called once its fate is settled. */
  public void onMessage(String topic, byte[] payload, Acknowledgement ack, MessagePublisher publisher) {
    long receivedAt = clock.millis();
    metrics.received();
    ValidationResult result = validator.validate(topic, payload, receivedAt);
    if (result instanceof ValidationResult.Valid valid) {
      DeviceIdentity device = valid.telemetry().device();
      if (quotas.tryAcquire(device)) {
        deliver(valid.telemetry().withDeliveryId(newDeliveryId()), topic, payload, ack, publisher, 0);
      } else {
        // Refused before it costs a store or an actor's time; settled like any rejection, so the
        // broker does not send it again.
        sink.recordRejection(device, RejectReason.RATE_LIMITED);
        reject(topic, TelemetryTopic.parse(topic), payload, RejectReason.RATE_LIMITED, overQuota(device), receivedAt,
            ack, publisher);
      }
    } else {
      ValidationResult.Invalid invalid = (ValidationResult.Invalid) result;
      invalid.device().ifPresent(device -> sink.recordRejection(device, invalid.reason()));
      reject(topic, invalid.topic(), payload, invalid.reason(), invalid.detail(), receivedAt, ack, publisher);
    }
  }

  /**
   * A random id for one inbound message's delivery, never {@link Telemetry#NO_DELIVERY}: unique
   * among a device's recent deliveries across every gateway without coordination.
   */
  private static long newDeliveryId() {
    long id;
    do {
      id = java.util.concurrent.ThreadLocalRandom.current().nextLong();
    } while (id == Telemetry.NO_DELIVERY);
    return id;
  }

  private String overQuota(DeviceIdentity device) {
    io.fleetpulse.api.profile.RateLimit limit = quotas.limit(device);
    double rate = limit.messagesPerSecond();
    return "device '" + device.deviceId() + "' exceeds its quota of "
        + (rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate))
        + " messages per second (burst " + limit.burst() + ")";
  }

  /** Stops retrying deliveries: on shutdown, unfinished messages stay with the broker. */
  public void stop() {
    running = false;
  }

  private void deliver(
      Telemetry telemetry, String topic, byte[] payload, Acknowledgement ack, MessagePublisher publisher, int attempt) {
    // Durable first, then the device decides: a message is acknowledged only when both are done,
    // and a retry repeats both (storing is idempotent, the device recognises the sequence).
    CompletionStage<IngestOutcome> outcome;
    try {
      outcome = store.store(telemetry).thenCompose(stored -> sink.deliver(telemetry));
    } catch (RuntimeException e) {
      outcome = java.util.concurrent.CompletableFuture.failedFuture(e);
    }
    // Settling is cheap and never blocks, so it runs on whichever thread completes the delivery;
    // an explicit executor also keeps futures that make whenComplete asynchronous off the
    // default executor (on two cores, a new thread per task).
    outcome.whenCompleteAsync((result, failure) -> {
      if (failure != null || result == null) {
        retry(telemetry, topic, payload, ack, publisher, attempt,
            failure != null ? failure : new IllegalStateException("the sink answered nothing"));
      } else if (result instanceof IngestOutcome.Accepted) {
        metrics.accepted();
        acknowledge(ack);
      } else if (result instanceof IngestOutcome.Duplicate) {
        // Another message with this sequence got in first. A retry whose earlier attempt got the
        // message in is answered Accepted: the actor knows the delivery id.
        metrics.duplicate();
        acknowledge(ack);
      } else {
        IngestOutcome.Rejected rejected = (IngestOutcome.Rejected) result;
        reject(topic, TelemetryTopic.parse(topic), payload, rejected.reason(), rejected.detail(),
            telemetry.receivedAtMillis(), ack, publisher);
      }
    }, Runnable::run);
  }

  private void retry(
      Telemetry telemetry, String topic, byte[] payload, Acknowledgement ack, MessagePublisher publisher,
      int attempt, Throwable failure) {
    if (!running) {
      metrics.abandoned();
      return;
    }
    metrics.deliveryRetry();
    long delay = settings.backoff(attempt).toMillis();
    LOG.debug("delivery to device {} failed (attempt {}), retrying in {} ms: {}",
        telemetry.deviceId(), attempt + 1, delay, failure.toString());
    scheduler.schedule(() -> deliver(telemetry, topic, payload, ack, publisher, attempt + 1), delay, TimeUnit.MILLISECONDS);
  }

  private void reject(
      String topic, Optional<TelemetryTopic> parsed, byte[] payload, RejectReason reason, String detail,
      long receivedAt, Acknowledgement ack, MessagePublisher publisher) {
    metrics.rejected(reason);
    LOG.debug("rejected message on {}: {} ({})", topic, reason.code(), detail);
    deadLetters.publish(publisher, topic, parsed, payload, reason, detail, receivedAt)
        .whenComplete((ok, failure) -> {
          if (failure == null) {
            metrics.deadLetterPublished();
            acknowledge(ack);
          } else {
            // Unacknowledged, the broker redelivers the original after a reconnect and we retry.
            metrics.deadLetterFailed();
            metrics.abandoned();
            LOG.warn("could not dead-letter a {} message from {}: {}", reason.code(), topic, failure.toString());
          }
        });
  }

  private void acknowledge(Acknowledgement ack) {
    if (ack.acknowledge()) {
      metrics.acknowledged();
    } else {
      metrics.abandoned();
    }
  }
}
