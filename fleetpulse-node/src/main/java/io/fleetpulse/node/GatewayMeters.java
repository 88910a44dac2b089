package io.fleetpulse.node;

import io.fleetpulse.api.telemetry.RejectReason;
import io.fleetpulse.gateway.auth.AccessCounters;
import io.fleetpulse.gateway.auth.AccessRefusal;
import io.fleetpulse.gateway.ingest.GatewayMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Publishes the gateway's counters on the node's Prometheus endpoint; read when scraped. */
final class GatewayMeters {

  private GatewayMeters() {}

  static void bind(MeterRegistry registry, GatewayMetrics metrics) {
    counter(registry, metrics, "received", s -> s.received());
    counter(registry, metrics, "accepted", s -> s.accepted());
    counter(registry, metrics, "duplicate", s -> s.duplicates());
    counter(registry, metrics, "acknowledged", s -> s.acknowledged());
    for (RejectReason reason : RejectReason.values()) {
      FunctionCounter.builder("fleetpulse.gateway.rejected", metrics,
              m -> m.snapshot().rejectsByReason().getOrDefault(reason.code(), 0L))
          .description("telemetry messages rejected, by reason")
          .tag("reason", reason.code())
          .register(registry);
    }
    Gauge.builder("fleetpulse.gateway.in.flight", metrics, m -> m.snapshot().inFlight())
        .description("messages received and not yet acknowledged")
        .register(registry);
    FunctionCounter.builder("fleetpulse.gateway.delivery.retries", metrics, m -> m.snapshot().deliveryRetries())
        .description("deliveries to device actors retried after a timeout")
        .register(registry);
  }

  /** The embedded broker's refusals by reason: {@code fleetpulse.broker.refused{reason}}. */
  static void bindAccess(MeterRegistry registry, AccessCounters counters) {
    for (AccessRefusal reason : AccessRefusal.values()) {
      FunctionCounter.builder("fleetpulse.broker.refused", counters, c -> c.count(reason))
          .description("CONNECT, PUBLISH and SUBSCRIBE refused by the broker's access control, by reason")
          .tag("reason", reason.code())
          .register(registry);
    }
  }

  private static void counter(
      MeterRegistry registry, GatewayMetrics metrics, String outcome,
      java.util.function.ToLongFunction<GatewayMetrics.Snapshot> value) {
    FunctionCounter.builder("fleetpulse.gateway.messages", metrics, m -> value.applyAsLong(m.snapshot()))
        .description("telemetry messages by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }
}
