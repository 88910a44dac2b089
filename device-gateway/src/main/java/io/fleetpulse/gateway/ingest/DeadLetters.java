package io.fleetpulse.gateway.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Republishes rejected messages to {@code fleet/{site}/{deviceId}/dead-letter} as JSON: the
 * stable code, the sentence, the detail, where it came from and (a bounded prefix of) the payload,
 * as text when it is UTF-8 and base64 otherwise. Publishing is retried with back-off; the stage
 * fails only when every attempt failed.
 */
public final class DeadLetters {

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final GatewaySettings.DeadLetter settings;
  private final GatewaySettings.Ingest backoff;
  private final ScheduledExecutorService scheduler;

  public DeadLetters(GatewaySettings.DeadLetter settings, GatewaySettings.Ingest backoff, ScheduledExecutorService scheduler) {
    this.settings = settings;
    this.backoff = backoff;
    this.scheduler = scheduler;
  }

  public CompletionStage<Void> publish(
      MessagePublisher publisher, String topic, Optional<TelemetryTopic> parsed, byte[] payload,
      RejectReason reason, String detail, long receivedAtMillis) {
    String target = parsed.map(TelemetryTopic::deadLetterTopic).orElse(settings.fallbackTopic());
    byte[] letter = letter(topic, parsed, payload, reason, detail, receivedAtMillis);
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(publisher, target, letter, 0, done);
    return done;
  }

  private void attempt(MessagePublisher publisher, String target, byte[] letter, int attempt, CompletableFuture<Void> done) {
    CompletionStage<Void> sent;
    try {
      sent = publisher.publish(target, letter, settings.qos());
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, failure) -> {
      if (failure == null) {
        done.complete(null);
      } else if (attempt + 1 >= settings.maxAttempts()) {
        done.completeExceptionally(failure);
      } else {
        LOG.debug("dead letter to {} failed (attempt {}): {}", target, attempt + 1, failure.toString());
        scheduler.schedule(
            () -> attempt(publisher, target, letter, attempt + 1, done),
            backoff.backoff(attempt).toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }

  byte[] letter(
      String topic, Optional<TelemetryTopic> parsed, byte[] payload, RejectReason reason, String detail, long receivedAtMillis) {
    ObjectNode json = MAPPER.createObjectNode();
    json.put("code", reason.code());
    json.put("message", reason.sentence());
    json.put("detail", detail);
    json.put("topic", topic);
    parsed.ifPresent(t -> json.put("site", t.site()).put("deviceId", t.deviceId()));
    json.put("receivedAt", Instant.ofEpochMilli(receivedAtMillis).toString());
    json.put("payloadBytes", payload.length);
    int echoed = Math.min(payload.length, settings.maxPayloadEchoBytes());
    json.put("payloadTruncated", echoed < payload.length);
    Optional<String> text = utf8(payload, echoed);
    if (text.isPresent()) {
      json.put("payload", text.get());
    } else {
      json.put("payloadBase64", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(payload, echoed)));
    }
    try {
      return MAPPER.writeValueAsBytes(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a dead letter", e);
    }
  }

  private static Optional<String> utf8(byte[] payload, int length) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload, 0, length))
              .toString());
    } catch (CharacterCodingException e) {
      // A truncation in the middle of a multi-byte character also lands here: base64 then.
      return Optional.empty();
    }
  }
}
