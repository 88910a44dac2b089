package io.fleetpulse.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.api.telemetry.TelemetrySink;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.registry.RegistryView;
import io.fleetpulse.gateway.validate.TelemetryValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestPipelineTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final String TOPIC = "fleet/plant-1/rm-1/telemetry";
  private static final String DEAD_LETTER_TOPIC = "fleet/plant-1/rm-1/dead-letter";
  private static final DeviceIdentity RM_1 = new DeviceIdentity("rm-1", "plant-1", "rotating-machine");
  private static final String VALID = "{\"seq\":7,\"ts\":" + NOW.toEpochMilli() + ",\"values\":{\"vibration\":2.5}}";
  private static final String OUT_OF_RANGE = "{\"seq\":8,\"values\":{\"vibration\":500}}";
  private static final long WAIT_MILLIS = 5_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  // Tiny back-offs and few dead-letter attempts keep retries fast; no test sleeps.
  private final Config config = ConfigFactory.parseString("""
          fleetpulse.gateway.ingest.retry-min-backoff = 1ms
          fleetpulse.gateway.ingest.retry-max-backoff = 4ms
          fleetpulse.gateway.dead-letter.max-attempts = 2
          """)
      .withFallback(ConfigFactory.load());
  private final GatewaySettings settings = GatewaySettings.fromConfig(config);
  private final DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
  private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
  private final FakeSink sink = new FakeSink();
  private final java.util.concurrent.atomic.AtomicInteger storeFailuresLeft = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.List<Telemetry> stored = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final io.fleetpulse.api.telemetry.TelemetryStore store = telemetry -> {
    if (storeFailuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("cassandra is down"));
    }
    stored.add(telemetry);
    return java.util.concurrent.CompletableFuture.completedFuture(null);
  };
  private final RecordingPublisher publisher = new RecordingPublisher();
  private final RecordingAcknowledgement ack = new RecordingAcknowledgement(true);
  private final GatewayMetrics metrics = new GatewayMetrics(new RateMeter(10, clock::millis));
  private final IngestPipeline pipeline = new IngestPipeline(
      new TelemetryValidator(
          settings.validation(), new RegistryView(settings.registration(), profiles), profiles),
      store,
      sink,
      new DeadLetters(settings.deadLetter(), settings.ingest(), scheduler),
      metrics,
      settings.ingest(),
      scheduler,
      clock);

  // rm-1 may send 1 message per second, 2 at once; the quotas' clock stands still unless a test moves it.
  private final Config limitedConfig = ConfigFactory.parseString(
          "fleetpulse.profiles.rotating-machine.rate-limit { messages-per-second = 1, burst = 2 }")
      .withFallback(config);
  private final DeviceProfiles limitedProfiles = DeviceProfiles.fromConfig(limitedConfig);
  private final java.util.concurrent.atomic.AtomicLong quotaNanos = new java.util.concurrent.atomic.AtomicLong();
  private final IngestPipeline limited = new IngestPipeline(
      new TelemetryValidator(
          settings.validation(), new RegistryView(settings.registration(), limitedProfiles), limitedProfiles),
      store,
      sink,
      new DeadLetters(settings.deadLetter(), settings.ingest(), scheduler),
      metrics,
      settings.ingest(),
      scheduler,
      clock,
      new DeviceQuotas(GatewaySettings.fromConfig(limitedConfig).rateLimiting(), limitedProfiles, quotaNanos::get));

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  @Test
  void acknowledges_a_valid_message_only_after_the_sink_accepted_it() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    Delivery delivery = sink.nextDelivery();
    assertThat(delivery.telemetry().device()).isEqualTo(RM_1);
    assertThat(delivery.telemetry().sequence()).isEqualTo(7);
    assertThat(delivery.telemetry().receivedAtMillis()).isEqualTo(NOW.toEpochMilli());
    assertThat(ack.count()).isZero();
    assertThat(metrics.snapshot().inFlight()).isEqualTo(1);

    delivery.outcome().complete(new IngestOutcome.Accepted("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.accepted()).isEqualTo(1);
    assertThat(snapshot.acknowledged()).isEqualTo(1);
    assertThat(snapshot.inFlight()).isZero();
    assertThat(publisher.publications).isEmpty();
  }

  @Test
  void acknowledges_a_duplicate_and_counts_it_as_duplicate() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    sink.nextDelivery().outcome().complete(new IngestOutcome.Duplicate("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.duplicates()).isEqualTo(1);
    assertThat(snapshot.accepted()).isZero();
    assertThat(snapshot.inFlight()).isZero();
  }

  @Test
  void retries_a_failed_delivery_and_acknowledges_after_a_later_success() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    Delivery first = sink.nextDelivery();
    first.outcome().completeExceptionally(new TimeoutException("device actor did not answer"));
    Delivery second = sink.nextDelivery();
    assertThat(ack.count()).isZero();
    second.outcome().completeExceptionally(new TimeoutException("device actor did not answer"));
    Delivery third = sink.nextDelivery();

    assertThat(second.telemetry()).isEqualTo(first.telemetry());
    assertThat(third.telemetry()).isEqualTo(first.telemetry());
    assertThat(ack.count()).isZero();
    assertThat(metrics.snapshot().inFlight()).isEqualTo(1);

    third.outcome().complete(new IngestOutcome.Accepted("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.deliveryRetries()).isEqualTo(2);
    assertThat(snapshot.accepted()).isEqualTo(1);
    assertThat(snapshot.inFlight()).isZero();
    assertThat(sink.deliveries).isEmpty();
  }

  @Test
  void gives_every_attempt_at_one_message_its_delivery_id_and_another_message_another() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);
    Delivery first = sink.nextDelivery();
    first.outcome().completeExceptionally(new TimeoutException("device actor did not answer"));
    Delivery retry = sink.nextDelivery();
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher); // the device sent the same message again
    Delivery again = sink.nextDelivery();

    assertThat(first.telemetry().deliveryId()).isNotEqualTo(Telemetry.NO_DELIVERY);
    assertThat(retry.telemetry().deliveryId()).isEqualTo(first.telemetry().deliveryId());
    assertThat(again.telemetry().deliveryId()).isNotEqualTo(first.telemetry().deliveryId())
        .isNotEqualTo(Telemetry.NO_DELIVERY);
    retry.outcome().complete(new IngestOutcome.Accepted("rm-1", 7));
    again.outcome().complete(new IngestOutcome.Duplicate("rm-1", 7));
    awaitUntil(() -> ack.count() == 2, "acknowledged");
  }

  @Test
  void counts_a_duplicate_answered_to_a_retry_as_a_duplicate() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    // The first attempt's answer timed out. Had it got the message in, the actor would answer the
    // retry (same delivery id) Accepted; Duplicate means another message with the sequence came first.
    sink.nextDelivery().outcome().completeExceptionally(new TimeoutException("device actor did not answer"));
    sink.nextDelivery().outcome().complete(new IngestOutcome.Duplicate("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.duplicates()).isEqualTo(1);
    assertThat(snapshot.accepted()).isZero();
  }

  @Test
  void stores_before_delivering_and_keeps_the_message_unacknowledged_while_the_store_fails()
      throws InterruptedException {
    storeFailuresLeft.set(3);
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    Delivery delivery = sink.nextDelivery(); // reached only once the store accepted the message
    assertThat(stored).hasSize(1);
    assertThat(ack.count()).isZero();
    delivery.outcome().complete(new IngestOutcome.Accepted("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    assertThat(metrics.snapshot().deliveryRetries()).isEqualTo(3);
    assertThat(metrics.snapshot().accepted()).isEqualTo(1);
  }

  @Test
  void retries_when_the_sink_throws_instead_of_returning_a_stage() throws InterruptedException {
    sink.throwOnNextDelivery.set(1);
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    sink.nextDelivery().outcome().complete(new IngestOutcome.Accepted("rm-1", 7));

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    assertThat(metrics.snapshot().deliveryRetries()).isEqualTo(1);
  }

  @Test
  void stops_retrying_after_stop_and_leaves_the_message_unacknowledged() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);
    Delivery delivery = sink.nextDelivery();

    pipeline.stop();
    delivery.outcome().completeExceptionally(new TimeoutException("shutting down"));

    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.deliveryRetries()).isZero();
    assertThat(snapshot.inFlight()).isZero();
    assertThat(snapshot.acknowledged()).isZero();
    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(ack.count()).isZero();
  }

  @Test
  void dead_letters_a_rejected_message_and_acknowledges_after_the_publish_completed()
      throws InterruptedException, IOException {
    pipeline.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);

    Publication publication = publisher.next();
    assertThat(publication.topic()).isEqualTo(DEAD_LETTER_TOPIC);
    assertThat(publication.qos()).isEqualTo(1);
    JsonNode letter = JSON.readTree(publication.payload());
    assertThat(letter.path("code").asText()).isEqualTo("value.out-of-range");
    assertThat(letter.path("message").asText()).isEqualTo(RejectReason.VALUE_OUT_OF_RANGE.sentence());
    assertThat(letter.path("detail").asText()).contains("vibration").contains("500");
    assertThat(letter.path("deviceId").asText()).isEqualTo("rm-1");
    assertThat(letter.path("site").asText()).isEqualTo("plant-1");
    assertThat(letter.path("topic").asText()).isEqualTo(TOPIC);
    assertThat(letter.path("payload").asText()).isEqualTo(OUT_OF_RANGE);
    assertThat(letter.path("payloadTruncated").asBoolean()).isFalse();
    assertThat(letter.path("receivedAt").asText()).isEqualTo(NOW.toString());
    assertThat(ack.count()).isZero();
    assertThat(sink.deliveries).isEmpty();

    publication.done().complete(null);

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.deadLettersPublished()).isEqualTo(1);
    assertThat(snapshot.rejectsByReason()).isEqualTo(Map.of("value.out-of-range", 1L));
    assertThat(snapshot.inFlight()).isZero();
  }

  @Test
  void tells_the_sink_about_rejections_of_known_devices() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);
    publisher.next().done().complete(null);

    assertThat(sink.rejections).containsExactly(new Rejection(RM_1, RejectReason.VALUE_OUT_OF_RANGE));
  }

  @Test
  void does_not_tell_the_sink_about_unknown_devices() throws InterruptedException, IOException {
    pipeline.onMessage("fleet/plant-1/pump-1/telemetry", bytes(VALID), ack, publisher);

    Publication publication = publisher.next();
    assertThat(publication.topic()).isEqualTo("fleet/plant-1/pump-1/dead-letter");
    assertThat(JSON.readTree(publication.payload()).path("code").asText()).isEqualTo("device.unknown");
    publication.done().complete(null);

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    assertThat(sink.rejections).isEmpty();
  }

  @Test
  void dead_letters_a_message_on_an_invalid_topic_to_the_fallback_topic() throws InterruptedException, IOException {
    pipeline.onMessage("fleet/plant-1/rm-1/status", bytes(VALID), ack, publisher);

    Publication publication = publisher.next();
    assertThat(publication.topic()).isEqualTo(settings.deadLetter().fallbackTopic()).isEqualTo("fleet/_unroutable/dead-letter");
    JsonNode letter = JSON.readTree(publication.payload());
    assertThat(letter.path("code").asText()).isEqualTo("topic.invalid");
    assertThat(letter.has("deviceId")).isFalse();
    assertThat(letter.has("site")).isFalse();
    publication.done().complete(null);

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    assertThat(sink.rejections).isEmpty();
  }

  @Test
  void echoes_a_binary_payload_as_base64() throws InterruptedException, IOException {
    byte[] binary = {(byte) 0xff, (byte) 0xfe, 0x00, 0x01};
    pipeline.onMessage(TOPIC, binary, ack, publisher);

    JsonNode letter = JSON.readTree(publisher.next().payload());

    assertThat(letter.path("code").asText()).isEqualTo("payload.malformed");
    assertThat(letter.has("payload")).isFalse();
    assertThat(letter.path("payloadBase64").binaryValue()).isEqualTo(binary);
  }

  @Test
  void retries_a_dead_letter_whose_publish_failed() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);

    Publication first = publisher.next();
    first.done().completeExceptionally(new IllegalStateException("connection lost"));
    Publication second = publisher.next();

    assertThat(second.topic()).isEqualTo(first.topic());
    assertThat(second.payload()).isEqualTo(first.payload());
    assertThat(ack.count()).isZero();

    second.done().complete(null);

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    assertThat(metrics.snapshot().deadLettersPublished()).isEqualTo(1);
    assertThat(metrics.snapshot().deadLettersFailed()).isZero();
  }

  @Test
  void does_not_acknowledge_a_message_whose_dead_letter_never_publishes() {
    publisher.alwaysFail = true;
    pipeline.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);

    awaitUntil(() -> metrics.snapshot().deadLettersFailed() == 1, "dead letter given up");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(publisher.attempts.get()).isEqualTo(settings.deadLetter().maxAttempts()).isEqualTo(2);
    assertThat(ack.count()).isZero();
    assertThat(snapshot.acknowledged()).isZero();
    assertThat(snapshot.deadLettersPublished()).isZero();
    assertThat(snapshot.inFlight()).isZero();
    assertThat(snapshot.rejectsByReason()).isEqualTo(Map.of("value.out-of-range", 1L));
  }

  @Test
  void dead_letters_a_message_the_sink_rejected() throws InterruptedException, IOException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);

    sink.nextDelivery().outcome().complete(
        new IngestOutcome.Rejected("rm-1", 7, RejectReason.SEQUENCE_TOO_OLD, "sequence 7 is older than the window"));

    Publication publication = publisher.next();
    assertThat(publication.topic()).isEqualTo(DEAD_LETTER_TOPIC);
    JsonNode letter = JSON.readTree(publication.payload());
    assertThat(letter.path("code").asText()).isEqualTo("sequence.too-old");
    assertThat(letter.path("detail").asText()).isEqualTo("sequence 7 is older than the window");
    assertThat(letter.path("payload").asText()).isEqualTo(VALID);
    assertThat(ack.count()).isZero();

    publication.done().complete(null);

    awaitUntil(() -> ack.count() == 1, "acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.accepted()).isZero();
    assertThat(snapshot.rejectsByReason()).isEqualTo(Map.of("sequence.too-old", 1L));
    assertThat(snapshot.inFlight()).isZero();
  }

  @Test
  void refuses_messages_over_the_device_s_quota_before_storing_them_and_settles_them_as_rate_limited()
      throws InterruptedException, IOException {
    for (int seq = 1; seq <= 2; seq++) {
      limited.onMessage(TOPIC, bytes(valid(seq)), ack, publisher);
      sink.nextDelivery().outcome().complete(new IngestOutcome.Accepted("rm-1", seq));
    }
    limited.onMessage(TOPIC, bytes(valid(3)), ack, publisher);

    Publication publication = publisher.next();
    assertThat(publication.topic()).isEqualTo(DEAD_LETTER_TOPIC);
    JsonNode letter = JSON.readTree(publication.payload());
    assertThat(letter.path("code").asText()).isEqualTo("rate.limited");
    assertThat(letter.path("message").asText()).isEqualTo(RejectReason.RATE_LIMITED.sentence());
    assertThat(letter.path("detail").asText())
        .isEqualTo("device 'rm-1' exceeds its quota of 1 messages per second (burst 2)");
    assertThat(letter.path("payload").asText()).isEqualTo(valid(3));
    publication.done().complete(null);

    awaitUntil(() -> ack.count() == 3, "all acknowledged");
    assertThat(stored).extracting(Telemetry::sequence).as("the refused message is not stored").containsExactly(1L, 2L);
    assertThat(sink.deliveries).as("nor delivered").isEmpty();
    assertThat(sink.rejections).containsExactly(new Rejection(RM_1, RejectReason.RATE_LIMITED));
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.accepted()).isEqualTo(2);
    assertThat(snapshot.rejectsByReason()).isEqualTo(Map.of("rate.limited", 1L));
    assertThat(snapshot.acknowledged()).isEqualTo(3);
    assertThat(snapshot.inFlight()).isZero();
  }

  @Test
  void takes_a_device_s_messages_again_once_its_quota_refilled() throws InterruptedException {
    for (int seq = 1; seq <= 3; seq++) {
      limited.onMessage(TOPIC, bytes(valid(seq)), ack, publisher);
    }
    sink.nextDelivery();
    sink.nextDelivery();
    publisher.next().done().complete(null);

    quotaNanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
    limited.onMessage(TOPIC, bytes(valid(4)), ack, publisher);

    assertThat(sink.nextDelivery().telemetry().sequence()).isEqualTo(4);
    assertThat(metrics.snapshot().rejectsByReason()).isEqualTo(Map.of("rate.limited", 1L));
  }

  @Test
  void counts_no_quota_against_invalid_messages() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      limited.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);
      publisher.next().done().complete(null);
    }

    limited.onMessage(TOPIC, bytes(valid(1)), ack, publisher);
    limited.onMessage(TOPIC, bytes(valid(2)), ack, publisher);

    assertThat(sink.nextDelivery().telemetry().sequence()).isEqualTo(1);
    assertThat(sink.nextDelivery().telemetry().sequence()).isEqualTo(2);
    assertThat(metrics.snapshot().rejectsByReason()).isEqualTo(Map.of("value.out-of-range", 3L));
  }

  @Test
  void an_acknowledgement_on_a_lost_connection_leaves_the_message_in_flight_no_longer() throws InterruptedException {
    RecordingAcknowledgement lost = new RecordingAcknowledgement(false);
    pipeline.onMessage(TOPIC, bytes(VALID), lost, publisher);

    sink.nextDelivery().outcome().complete(new IngestOutcome.Accepted("rm-1", 7));

    awaitUntil(() -> lost.count() == 1, "acknowledgement attempted");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.acknowledged()).isZero();
    assertThat(snapshot.inFlight()).isZero();
  }

  @Test
  void counts_every_outcome_in_the_metrics_snapshot() throws InterruptedException {
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);
    sink.nextDelivery().outcome().complete(new IngestOutcome.Accepted("rm-1", 7));
    pipeline.onMessage(TOPIC, bytes(VALID), ack, publisher);
    sink.nextDelivery().outcome().complete(new IngestOutcome.Duplicate("rm-1", 7));
    pipeline.onMessage(TOPIC, bytes(OUT_OF_RANGE), ack, publisher);
    publisher.next().done().complete(null);
    pipeline.onMessage(TOPIC, bytes("{\"seq\":"), ack, publisher);
    publisher.next().done().complete(null);
    pipeline.onMessage(TOPIC, bytes("[]"), ack, publisher);
    publisher.next().done().complete(null);

    awaitUntil(() -> ack.count() == 5, "all acknowledged");
    GatewayMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.received()).isEqualTo(5);
    assertThat(snapshot.accepted()).isEqualTo(1);
    assertThat(snapshot.duplicates()).isEqualTo(1);
    assertThat(snapshot.rejected()).isEqualTo(3);
    assertThat(snapshot.rejectsByReason())
        .isEqualTo(Map.of("value.out-of-range", 1L, "payload.malformed", 2L));
    assertThat(snapshot.acknowledged()).isEqualTo(5);
    assertThat(snapshot.deadLettersPublished()).isEqualTo(3);
    assertThat(snapshot.deadLettersFailed()).isZero();
    assertThat(snapshot.deliveryRetries()).isZero();
    assertThat(snapshot.inFlight()).isZero();
  }

  // --- collaborators -----------------------------------------------------------------------

  record Delivery(Telemetry telemetry, CompletableFuture<IngestOutcome> outcome) {}

  record Rejection(DeviceIdentity device, RejectReason reason) {}

  /** Hands every delivery to the test, which completes its future by hand. */
  static final class FakeSink implements TelemetrySink {
    final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    final List<Rejection> rejections = new CopyOnWriteArrayList<>();
    final AtomicInteger throwOnNextDelivery = new AtomicInteger();

    @Override
    public CompletionStage<IngestOutcome> deliver(Telemetry telemetry) {
      if (throwOnNextDelivery.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IllegalStateException("sharding region not ready");
      }
      CompletableFuture<IngestOutcome> outcome = new CompletableFuture<>();
      deliveries.add(new Delivery(telemetry, outcome));
      return outcome;
    }

    @Override
    public void recordRejection(DeviceIdentity device, RejectReason reason) {
      rejections.add(new Rejection(device, reason));
    }

    Delivery nextDelivery() throws InterruptedException {
      Delivery delivery = deliveries.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(delivery).as("a delivery to the sink").isNotNull();
      return delivery;
    }
  }

  record Publication(String topic, byte[] payload, int qos, CompletableFuture<Void> done) {}

  /** Records publications; the test completes them by hand, or every one fails at once. */
  static final class RecordingPublisher implements MessagePublisher {
    final BlockingQueue<Publication> publications = new LinkedBlockingQueue<>();
    final AtomicInteger attempts = new AtomicInteger();
    volatile boolean alwaysFail;

    @Override
    public CompletionStage<Void> publish(String topic, byte[] payload, int qos) {
      attempts.incrementAndGet();
      if (alwaysFail) {
        return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
      }
      CompletableFuture<Void> done = new CompletableFuture<>();
      publications.add(new Publication(topic, payload, qos, done));
      return done;
    }

    Publication next() throws InterruptedException {
      Publication publication = publications.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
      assertThat(publication).as("a dead-letter publication").isNotNull();
      return publication;
    }
  }

  static final class RecordingAcknowledgement implements Acknowledgement {
    private final AtomicInteger count = new AtomicInteger();
    private final boolean connected;

    RecordingAcknowledgement(boolean connected) {
      this.connected = connected;
    }

    @Override
    public boolean acknowledge() {
      count.incrementAndGet();
      return connected;
    }

    int count() {
      return count.get();
    }
  }

  private static void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 5 s for: " + what).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
    }
  }

  /** A valid compact message of rm-1 with sequence {@code seq}. */
  private static String valid(long seq) {
    return "{\"seq\":" + seq + ",\"ts\":" + NOW.toEpochMilli() + ",\"values\":{\"vibration\":2.5}}";
  }

  private static byte[] bytes(String payload) {
    return payload.getBytes(StandardCharsets.UTF_8);
  }
}
