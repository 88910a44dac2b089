package io.fleetpulse.persistence.registry;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.registry.RegistryStore;
import io.fleetpulse.persistence.cassandra.AllRows;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The registry's current entries in {@code device_registry} (schema versions 5 and 6: with their
 * credentials' hashes), 32 buckets by
 * device id. A save is written at the entry's revision as its timestamp, so of two saves of one
 * device the higher revision stays whatever order they land in; {@link #all} reads the buckets one
 * after the other, a driver page at a time. Thread-safe.
 */
public final class CassandraRegistryStore implements RegistryStore {

  static final int BUCKETS = 32;
  /** The row of {@code schema_version} that records the one-time import. */
  private static final String IMPORT_COMPONENT = "registry-import";

  private final CqlSession session;
  private final String keyspace;
  private final PreparedStatement insert;
  private final PreparedStatement select;

  public CassandraRegistryStore(CqlSession session, String keyspace) {
    this.session = session;
    this.keyspace = keyspace;
    this.insert = session.prepare("INSERT INTO " + keyspace + ".device_registry (bucket, device_id, site, profile,"
        + " auto_provisioned, decommissioned, revision, updated_at, credentials) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        + " USING TIMESTAMP ?");
    this.select = session.prepare("SELECT device_id, site, profile, auto_provisioned, decommissioned, revision, updated_at,"
        + " credentials FROM " + keyspace + ".device_registry WHERE bucket = ?");
  }

  /**
   * The devices FleetPulse knew before the registry was the cluster's: the {@code devices} table,
   * written when a device actor first saw a device (with whether it was auto-provisioned), read
   * in full (a table scan, paged), for the one import into the registry.
   */
  public CompletionStage<List<RegistryEntry>> devicesSeenBefore() {
    return AllRows.read(session.executeAsync(SimpleStatement.newInstance(
            "SELECT device_id, site, profile, auto_provisioned FROM " + keyspace + ".devices").setPageSize(1000)),
        row -> row.getString("site") == null || row.getString("profile") == null ? null
            : new RegistryEntry(row.getString("device_id"), row.getString("site"), row.getString("profile"),
                row.getBoolean("auto_provisioned"), false, 0, 0));
  }

  /** Whether the import of {@link #devicesSeenBefore} has been done (recorded in {@code schema_version}). */
  public CompletionStage<Boolean> imported() {
    return session.executeAsync(SimpleStatement.newInstance("SELECT version FROM " + keyspace
            + ".schema_version WHERE component = ? LIMIT 1", IMPORT_COMPONENT))
        .thenApply(rows -> rows.one() != null);
  }

  /** Records that the import is done, with how many devices it registered. */
  public CompletionStage<Void> markImported(int devices) {
    return session.executeAsync(SimpleStatement.newInstance("INSERT INTO " + keyspace
            + ".schema_version (component, version, description, applied_at) VALUES (?, 1, ?, ?)",
            IMPORT_COMPONENT, devices + " devices from the devices table", Instant.now()))
        .thenApply(done -> null);
  }

  static int bucket(String deviceId) {
    return Math.floorMod(deviceId.hashCode(), BUCKETS);
  }

  @Override
  public CompletionStage<Void> save(RegistryEntry entry) {
    return session.executeAsync(insert.bind(bucket(entry.deviceId()), entry.deviceId(), entry.site(), entry.profile(),
                entry.autoProvisioned(), entry.decommissioned(), entry.revision(), Instant.ofEpochMilli(entry.updatedAtMillis()),
                credentials(entry), entry.revision())
            .setIdempotent(true).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM))
        .thenApply(done -> null);
  }

  private static Map<String, Long> credentials(RegistryEntry entry) {
    Map<String, Long> hashes = new LinkedHashMap<>();
    for (Credential credential : entry.credentials()) {
      hashes.put(credential.hash(), credential.notAfterMillis());
    }
    return hashes;
  }

  private static List<Credential> credentials(Map<String, Long> hashes) {
    List<Credential> credentials = new ArrayList<>(hashes.size());
    hashes.forEach((hash, notAfter) -> credentials.add(new Credential(hash, notAfter)));
    return credentials;
  }

  @Override
  public CompletionStage<List<RegistryEntry>> all() {
    return readBucket(0, new ArrayList<>());
  }

  private CompletionStage<List<RegistryEntry>> readBucket(int bucket, List<RegistryEntry> into) {
    if (bucket == BUCKETS) {
      return CompletableFuture.completedFuture(into);
    }
    return AllRows.read(session.executeAsync(select.bind(bucket).setConsistencyLevel(DefaultConsistencyLevel.LOCAL_QUORUM)),
            row -> new RegistryEntry(row.getString("device_id"), row.getString("site"), row.getString("profile"),
                row.getBoolean("auto_provisioned"), row.getBoolean("decommissioned"), row.getLong("revision"),
                row.getInstant("updated_at").toEpochMilli(), credentials(row.getMap("credentials", String.class, Long.class))))
        .thenCompose(entries -> {
          into.addAll(entries);
          return readBucket(bucket + 1, into);
        });
  }
}
