package io.fleetpulse.node.http;

import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.gateway.auth.AccessCounters;
import io.fleetpulse.gateway.ingest.GatewayMetrics;
import java.util.List;
import java.util.Map;

/**
 * The fleet overview the API serves: devices by site and online status from the fleet
 * directory, message counters and rate from this node's gateway.
 */
public record FleetSummary(
    int devices,
    int online,
    int registered,
    List<FleetDirectory.SiteOverview> sites,
    Messages messages,
    Map<String, Long> rejectsByReason,
    BrokerRefusals brokerRefusals) {

  /**
   * What this node's embedded broker refused (CONNECT, PUBLISH, SUBSCRIBE), by reason, and the
   * registered clients refused most; null when this node runs no broker access control.
   */
  public record BrokerRefusals(Map<String, Long> byReason, List<AccessCounters.ClientRefusals> topClients) {}

  /** @param perSecond messages settled per second over the last ten seconds */
  public record Messages(
      long received, long accepted, long duplicates, long rejected, long acknowledged, int inFlight,
      long deliveryRetries, long deadLettersPublished, long deadLettersFailed, double perSecond) {}

  static FleetSummary of(FleetDirectory.FleetOverview overview, int registered, GatewayMetrics.Snapshot gateway,
      java.util.Optional<AccessCounters> refusals) {
    return new FleetSummary(
        overview.devices(),
        overview.online(),
        registered,
        overview.sites(),
        new Messages(
            gateway.received(), gateway.accepted(), gateway.duplicates(), gateway.rejected(), gateway.acknowledged(),
            gateway.inFlight(), gateway.deliveryRetries(), gateway.deadLettersPublished(), gateway.deadLettersFailed(),
            Math.round(gateway.processedPerSecond() * 10) / 10.0),
        gateway.rejectsByReason(),
        refusals.map(counters -> new BrokerRefusals(counters.byReason(), counters.top(20))).orElse(null));
  }
}
