package io.fleetpulse.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The versioned schema against a real node: created once, idempotent, replication as configured. */
class SchemaMigrationsIT {

  @TempDir
  Path data;

  @Test
  void creates_every_table_once_and_records_the_version() throws IOException {
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
    EmbeddedCassandraSettings embedded = settings.embedded()
        .isolated(Path.of("../cassandra-runtime/target/lib"), data);
    try (CassandraLauncher cassandra = CassandraLauncher.start(embedded);
        CqlSession session = CqlSession.builder().withConfigLoader(SchemaMigrations.sessionConfig())
                .addContactPoint(cassandra.cqlAddress()).withLocalDatacenter(settings.localDatacenter()).build()) {
      SchemaMigrations migrations = new SchemaMigrations(session, settings.keyspace());

      assertThat(migrations.migrate(settings.replication())).isEqualTo(8);
      assertThat(migrations.migrate(settings.replication())).as("second start changes nothing").isEqualTo(8);
      assertThat(SchemaMigrations.legacyTelemetrySince(session, settings.keyspace()))
          .as("a keyspace created at version 8 has no readings stored one row each").isEmpty();

      List<String> tables = new ArrayList<>();
      session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", settings.keyspace())
          .forEach(row -> tables.add(row.getString("table_name")));
      assertThat(tables).containsExactlyInAnyOrder("schema_version", "telemetry_by_device_day", "rollups_by_device_day",
          "predictions_by_device_day", "predictions_by_site_hour", "alerts_by_site_status", "devices", "devices_by_site",
          "rollups_by_site_hour", "alerts_by_site_day", "alerts_by_device_month", "alerts_open_by_device",
          "telemetry_days_by_device", "device_registry", "audit_log", "telemetry_messages_by_device_day");
      List<String> columns = new ArrayList<>();
      session.execute("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
          settings.keyspace(), "alerts_by_site_day").forEach(row -> columns.add(row.getString("column_name")));
      assertThat(columns).as("version 3 added to version 2's table").contains("message", "revision", "note");
      List<String> registry = new ArrayList<>();
      session.execute("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
          settings.keyspace(), "device_registry").forEach(row -> registry.add(row.getString("column_name")));
      assertThat(registry).as("version 6 added the credentials' hashes").contains("credentials");

      // The registry's entries keep their credentials; an older revision never replaces a newer one.
      io.fleetpulse.persistence.registry.CassandraRegistryStore store =
          new io.fleetpulse.persistence.registry.CassandraRegistryStore(session, settings.keyspace());
      io.fleetpulse.api.registry.RegistryEntry rotated = new io.fleetpulse.api.registry.RegistryEntry("rm-1", "plant-1",
          "rotating-machine", false, false, 3, 1_000, List.of(
              new io.fleetpulse.api.registry.Credential("pbkdf2-sha256$10$AAAA$BBBB", 5_000),
              new io.fleetpulse.api.registry.Credential("pbkdf2-sha256$10$CCCC$DDDD", Long.MAX_VALUE)));
      store.save(rotated).toCompletableFuture().join();
      store.save(new io.fleetpulse.api.registry.RegistryEntry("rm-1", "plant-1", "rotating-machine", false, false, 2, 500))
          .toCompletableFuture().join();
      assertThat(store.all().toCompletableFuture().join()).containsExactly(rotated);
      Row keyspace = session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
          settings.keyspace()).one();
      assertThat(keyspace.getMap("replication", String.class, String.class))
          .containsEntry("class", "org.apache.cassandra.locator.SimpleStrategy")
          .containsEntry("replication_factor", "1");
      assertThat(session.execute("SELECT count(*) AS n FROM " + settings.keyspace() + ".schema_version").one().getLong("n"))
          .isEqualTo(8);

      // A keyspace at version 7 (telemetry one row per reading) migrated to 8 records when.
      session.execute("DELETE FROM " + settings.keyspace() + ".schema_version WHERE component = 'fleet' AND version = 8");
      java.time.Instant before = java.time.Instant.now().minusSeconds(1);
      assertThat(migrations.migrate(settings.replication())).isEqualTo(8);
      assertThat(SchemaMigrations.legacyTelemetrySince(session, settings.keyspace()))
          .hasValueSatisfying(since -> assertThat(since).isAfter(before));
    }
  }

  @Test
  void reads_network_topology_replication_per_datacenter() {
    CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.parseString(
        "fleetpulse.persistence.cassandra.replication { class = NetworkTopologyStrategy, datacenters { eu = 3, us = 2 } }")
        .withFallback(ConfigFactory.load()));
    assertThat(settings.replication()).isEqualTo(Map.of("class", "NetworkTopologyStrategy", "eu", 3, "us", 2));
  }

}
