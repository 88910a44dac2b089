package io.fleetpulse.node;

import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.gateway.auth.AccessCounters;
import io.fleetpulse.gateway.ingest.GatewayMetrics;
import io.fleetpulse.gateway.ingest.RateMeter;
import io.fleetpulse.node.alerts.AlertDelivery;
import io.fleetpulse.node.alerts.AlertFeed;
import io.fleetpulse.node.http.NodeRoutes;
import io.fleetpulse.persistence.alerts.CassandraAlertStore;
import io.fleetpulse.persistence.records.CassandraDeviceRecords;
import io.fleetpulse.persistence.telemetry.CassandraTelemetryStore;
import io.fleetpulse.serving.pool.PoolMeterSamples;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A Prometheus registry holding every meter a node with all roles and storage exports, bound the
 * way {@link FleetPulseNode#start} binds them (the same binders and the same meter-owning classes),
 * with nothing started: stores get no Cassandra session (their meters are read only when written
 * or scraped), the pool's meters are recorded once per lane. Keep it in step with FleetPulseNode.
 */
public final class ExportedMeters {

  private ExportedMeters() {}

  /** @param system a system with the cluster provider (the cluster gauges read its state) */
  public static PrometheusMeterRegistry of(ActorSystem<?> system) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new CassandraTelemetryStore(null, meters);
    new CassandraAlertStore(null, null, meters);
    new CassandraDeviceRecords(null, meters, id -> false);
    AlertDelivery.start(system, AlertStore.NONE, new AlertFeed(1, NodeRoutes.JSON), NodeRoutes.JSON, 1, meters);
    GatewayMeters.bind(meters, new GatewayMetrics(new RateMeter(1, System::currentTimeMillis)));
    NodeMeters.bindTelemetry(meters, null);
    NodeMeters.bindCluster(meters, Cluster.get(system));
    NodeMeters.bindDeviceActors(meters, system, () -> CompletableFuture.completedFuture(0), Duration.ofHours(1));
    GatewayMeters.bindAccess(meters, new AccessCounters());
    PoolMeterSamples.record(meters, "sample-model");
    return meters;
  }
}
