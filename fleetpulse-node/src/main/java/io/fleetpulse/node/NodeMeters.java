package io.fleetpulse.node;

import io.fleetpulse.persistence.telemetry.TelemetryWriter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's own meters on its Prometheus endpoint, beside the gateway's ({@link GatewayMeters}):
 * telemetry rows stored, the cluster's members as this node sees them, and the device actors it
 * hosts. Read when scraped, except the device actors, sampled on a timer (asking the shard region
 * is a message, not a field read).
 */
final class NodeMeters {

  private static final Logger LOG = LoggerFactory.getLogger(NodeMeters.class);

  /** Every status a member goes through, so each series exists (at 0) from the start. */
  private static final List<MemberStatus> STATUSES = List.of(
      MemberStatus.joining(), MemberStatus.weaklyUp(), MemberStatus.up(), MemberStatus.shuttingDown(),
      MemberStatus.shutDown(), MemberStatus.leaving(), MemberStatus.exiting(), MemberStatus.down(),
      MemberStatus.removed());

  private NodeMeters() {}

  /** {@code fleetpulse.telemetry.rows.stored}: rows the telemetry writer stored. */
  static void bindTelemetry(MeterRegistry registry, TelemetryWriter writer) {
    FunctionCounter.builder("fleetpulse.telemetry.rows.stored", writer, TelemetryWriter::rowsStored)
        .description("telemetry rows written to Cassandra (one per message)")
        .register(registry);
    FunctionCounter.builder("fleetpulse.telemetry.requests", writer, TelemetryWriter::requests)
        .description("write requests the telemetry writer sent to Cassandra (a gathered batch counts once)")
        .register(registry);
  }

  /**
   * {@code fleetpulse.cluster.members{status}} and {@code fleetpulse.cluster.members.unreachable}:
   * the membership in this node's view of the cluster state.
   */
  static void bindCluster(MeterRegistry registry, Cluster cluster) {
    for (MemberStatus status : STATUSES) {
      Gauge.builder("fleetpulse.cluster.members", cluster, c -> count(c.state().getMembers(), status))
          .description("cluster members in this node's view, by status")
          .tag("status", statusName(status))
          .register(registry);
    }
    Gauge.builder("fleetpulse.cluster.members.unreachable", cluster, c -> c.state().getUnreachable().size())
        .description("cluster members this node's failure detector marks unreachable")
        .register(registry);
  }

  /**
   * {@code fleetpulse.devices.actors}: device actors this node hosts, asked of {@code hosted} every
   * {@code interval}; the last answer stays when an ask fails.
   */
  static void bindDeviceActors(MeterRegistry registry, ActorSystem<?> system, Supplier<CompletionStage<Integer>> hosted,
      Duration interval) {
    AtomicInteger actors = new AtomicInteger();
    Gauge.builder("fleetpulse.devices.actors", actors, AtomicInteger::get)
        .description("device actors hosted on this node, sampled every fleetpulse.node.metrics.device-actors-interval")
        .register(registry);
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, interval,
        () -> hosted.get().whenComplete((count, failure) -> {
          if (failure == null) {
            actors.set(count);
          } else {
            LOG.debug("device actors on this node not counted: {}", failure.toString());
          }
        }),
        system.executionContext());
  }

  private static long count(Iterable<Member> members, MemberStatus status) {
    long count = 0;
    for (Member member : members) {
      if (member.status().equals(status)) {
        count++;
      }
    }
    return count;
  }

  /** {@code WeaklyUp} as {@code weakly_up}: Prometheus label values in the style of the others. */
  static String statusName(MemberStatus status) {
    return status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }
}
