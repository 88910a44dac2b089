package io.fleetpulse.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import io.fleetpulse.persistence.alerts.AlertsReader;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSessions;
import io.fleetpulse.persistence.query.BucketReader;
import io.fleetpulse.persistence.records.RecordsWriter;
import io.fleetpulse.persistence.registry.CassandraRegistryStore;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import io.fleetpulse.persistence.telemetry.TelemetryReader;
import io.fleetpulse.persistence.telemetry.TelemetryWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's storage, opened at start: the embedded Cassandra node when configured (else the
 * configured cluster), the schema migrated (through a short-lived session of its own), one driver
 * session, the telemetry writer and reader, the records writer. Closing it
 * closes the session, then stops the embedded node.
 */
public final class FleetStorage implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FleetStorage.class);

  private final Optional<CassandraLauncher> embedded;
  private final PersistenceSettings settings;
  private final String keyspace;
  private final CqlSession session;
  private final TelemetryWriter telemetry;
  private final TelemetryReader history;
  private final RecordsWriter records;
  private final AlertsReader alerts;

  private FleetStorage(Optional<CassandraLauncher> embedded, CqlSession session, PersistenceSettings settings) {
    String keyspace = settings.cassandra().keyspace();
    this.embedded = embedded;
    this.settings = settings;
    this.keyspace = keyspace;
    this.session = session;
    this.telemetry = new TelemetryWriter(
        session, keyspace, settings.telemetryTtl(), settings.telemetryMaxInFlight(), settings.telemetryQueueCapacity(),
        settings.telemetryMaxBatch(), settings.telemetryDayIndexCache());
    // Readings stored one row each before schema version 8 are read until they have expired.
    this.history = new TelemetryReader(session, keyspace, SchemaMigrations.legacyTelemetrySince(session, keyspace)
        .map(migrated -> migrated.plus(settings.telemetryTtl()).plus(Duration.ofDays(1))));
    this.records = new RecordsWriter(session, keyspace, settings.recordsMaxInFlight(), settings.recordsQueueCapacity(),
        settings.recordsMaxBatch(), settings.alertsMaxInFlight(), settings.alertsQueueCapacity(), settings.recordsRetry(),
        settings.alertsRetry());
    this.alerts = new AlertsReader(session, keyspace);
  }

  public static FleetStorage open(PersistenceSettings settings) {
    Optional<CassandraLauncher> embedded = settings.cassandra().embedded().enabled()
        ? Optional.of(CassandraLauncher.start(settings.cassandra().embedded()))
        : Optional.empty();
    try {
      try (CqlSession migrating = sessionBuilder(settings, embedded).withConfigLoader(SchemaMigrations.sessionConfig()).build()) {
        int version = new SchemaMigrations(migrating, settings.cassandra().keyspace()).migrate(settings.cassandra().replication());
        LOG.info("Cassandra keyspace {} at schema version {}", settings.cassandra().keyspace(), version);
      }
      CqlSession session = sessionBuilder(settings, embedded).build();
      return new FleetStorage(embedded, session, settings);
    } catch (RuntimeException e) {
      embedded.ifPresent(CassandraLauncher::close);
      throw e;
    }
  }

  /**
   * A driver session builder for the embedded node, or for the configured contact points with
   * the configured credentials and TLS.
   */
  private static CqlSessionBuilder sessionBuilder(PersistenceSettings settings, Optional<CassandraLauncher> embedded) {
    CqlSessionBuilder builder = CqlSession.builder().withLocalDatacenter(settings.cassandra().localDatacenter());
    if (embedded.isPresent()) {
      builder.addContactPoint(embedded.get().cqlAddress());
    } else {
      for (String contactPoint : settings.cassandra().contactPoints()) {
        int colon = contactPoint.lastIndexOf(':');
        builder.addContactPoint(InetSocketAddress.createUnresolved(
            contactPoint.substring(0, colon), Integer.parseInt(contactPoint.substring(colon + 1))));
      }
    }
    return CassandraSessions.secure(builder, settings.cassandra());
  }

  public TelemetryWriter telemetry() {
    return telemetry;
  }

  public TelemetryReader history() {
    return history;
  }

  public RecordsWriter records() {
    return records;
  }

  public AlertsReader alerts() {
    return alerts;
  }

  /**
   * Creates {@code keyspace} with the configured replication and the given tables (IF NOT EXISTS
   * statements another component generates: the control plane's journal), through a short-lived
   * session like the migrations.
   */
  public void createComponentSchema(String keyspace, java.util.List<String> tables) {
    try (CqlSession migrating = sessionBuilder(settings, embedded).withConfigLoader(SchemaMigrations.sessionConfig()).build()) {
      SchemaMigrations.createComponentSchema(migrating, keyspace, settings.cassandra().replication(), tables);
    }
  }

  /** The audit log of the HTTP API's state-changing calls ({@code audit_log}). */
  public io.fleetpulse.persistence.audit.CassandraAuditLog audit() {
    return new io.fleetpulse.persistence.audit.CassandraAuditLog(session, keyspace);
  }

  /** The registry's current entries, for a cluster that starts cold. */
  public CassandraRegistryStore registry() {
    return new CassandraRegistryStore(session, keyspace);
  }

  /**
   * Where Cassandra answers CQL, as {@code host:port}: the embedded node, else the configured
   * contact points. For other Cassandra clients of the node (the Pekko Persistence journal).
   */
  public java.util.List<String> contactPoints() {
    return embedded.map(node -> java.util.List.of(node.cqlAddress().getHostString() + ":" + node.cqlAddress().getPort()))
        .orElse(settings.cassandra().contactPoints());
  }

  /**
   * A reader of the query API's tables (roll-ups, predictions, alert history) whose queries get
   * {@code queryTimeout} each and whose results are mapped on {@code executor}.
   */
  public BucketReader queryReader(Duration queryTimeout, Executor executor) {
    return new BucketReader(session, keyspace, queryTimeout, executor);
  }

  public Optional<InetSocketAddress> embeddedAddress() {
    return embedded.map(CassandraLauncher::cqlAddress);
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      embedded.ifPresent(CassandraLauncher::close);
    }
  }
}
