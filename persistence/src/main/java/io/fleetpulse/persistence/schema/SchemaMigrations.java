package io.fleetpulse.persistence.schema;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned, idempotent schema: the keyspace (with the configured replication) and the CQL
 * scripts {@code schema/V<n>__<name>.cql} on the class path, applied in order at start when their
 * version is above the one recorded in {@code <keyspace>.schema_version}. Statements are {@code IF
 * NOT EXISTS}, so a start interrupted half-way simply applies the script again.
 */
public final class SchemaMigrations {

  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrations.class);
  private static final Pattern SCRIPT = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.cql");

  /** Scripts in version order; the list is explicit so a missing file fails loudly. */
  private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);

  /** The table that records the applied versions; not truncated with the data. */
  public static final String VERSION_TABLE = "schema_version";
  /** The rows of {@link #VERSION_TABLE} that record the schema's versions; other components record one-time steps. */
  public static final String SCHEMA_COMPONENT = "fleet";

  public static final List<String> SCRIPTS = List.of(
      "V1__fleet_tables.cql", "V2__site_rollups_and_alert_history.cql", "V3__alert_lifecycle.cql",
      "V4__telemetry_days.cql", "V5__device_registry.cql", "V6__registry_credentials.cql",
      "V7__audit_log.cql", "V8__telemetry_messages.cql");

  /**
   * The row of {@link #VERSION_TABLE} recording that {@code telemetry_by_device_day} (one row per
   * reading, before version 8) may hold telemetry: written when version 8 is applied to a keyspace
   * that had the table, dated then. Readers read both shapes until the telemetry's TTL has passed.
   */
  public static final String LEGACY_TELEMETRY_COMPONENT = "legacy-telemetry";

  private final CqlSession session;
  private final String keyspace;

  /**
   * Driver settings for a session that runs the migrations: without schema metadata. The driver
   * answers a schema change only after refreshing its metadata, and debounces those refreshes
   * by a second, so FleetPulse's statements took about 20 s on a new keyspace with a default
   * session and about a quarter of that without metadata. Serving sessions keep the metadata
   * (token-aware routing needs each keyspace's replication).
   */
  public static DriverConfigLoader sessionConfig() {
    return DriverConfigLoader.programmaticBuilder()
        .withBoolean(DefaultDriverOption.METADATA_SCHEMA_ENABLED, false)
        .build();
  }

  /**
   * A keyspace name goes into CQL text, so it must be a plain identifier; returns it, or throws
   * IllegalArgumentException.
   */
  public static String requireKeyspace(String keyspace) {
    if (keyspace == null || !keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
      throw new IllegalArgumentException("keyspace '" + keyspace + "' must match [a-z][a-z0-9_]{0,47}");
    }
    return keyspace;
  }

  public SchemaMigrations(CqlSession session, String keyspace) {
    requireKeyspace(keyspace);
    this.session = session;
    this.keyspace = keyspace;
  }

  /** Creates the keyspace if missing and applies every script above the recorded version; returns the version now. */
  public int migrate(Map<String, Object> replication) {
    ddl("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = " + replicationCql(replication));
    ddl("CREATE TABLE IF NOT EXISTS " + keyspace
        + "." + VERSION_TABLE + " (component text, version int, description text, applied_at timestamp,"
        + " PRIMARY KEY ((component), version)) WITH CLUSTERING ORDER BY (version DESC)");
    int current = currentVersion();
    int before = current;
    for (String script : SCRIPTS) {
      Matcher name = SCRIPT.matcher(script);
      if (!name.matches()) {
        throw new IllegalStateException("schema script " + script + " is not named V<n>__<name>.cql");
      }
      int version = Integer.parseInt(name.group(1));
      if (version <= current) {
        continue;
      }
      if (version == 8 && before >= 1) {
        session.execute("INSERT INTO " + keyspace + ".schema_version (component, version, description, applied_at)"
            + " VALUES (?, 1, 'telemetry_by_device_day holds readings written before version 8', ?)",
            LEGACY_TELEMETRY_COMPONENT, Instant.now());
      }
      List<String> statements = statements(read(script));
      for (String statement : statements) {
        ddl(statement);
      }
      session.execute("INSERT INTO " + keyspace + ".schema_version (component, version, description, applied_at)"
          + " VALUES ('fleet', ?, ?, ?)", version, name.group(2), Instant.now());
      LOG.info("applied schema version {} ({}, {} statements) to keyspace {}", version, name.group(2), statements.size(), keyspace);
      current = version;
    }
    return current;
  }

  /**
   * A schema change waits for every node to agree on the new schema; on a small, busy node that
   * takes longer than the driver's 2 s request timeout (seen: a CREATE TABLE timing out while
   * another JVM loaded both cores). Statements are IF NOT EXISTS, so a retry after a timeout is safe.
   */
  private void ddl(String statement) {
    session.execute(SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT));
  }

  /**
   * The keyspace {@code keyspace} (with the configured replication) and the tables another
   * component defines, such as the Pekko Persistence journal's: statements its plugin generates,
   * IF NOT EXISTS, run like FleetPulse's own (no schema metadata, a schema change waited for).
   */
  public static void createComponentSchema(CqlSession session, String keyspace, Map<String, Object> replication,
      List<String> tables) {
    requireKeyspace(keyspace);
    session.execute(SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = "
        + replicationCql(replication)).setTimeout(DDL_TIMEOUT));
    for (String table : tables) {
      session.execute(SimpleStatement.newInstance(table).setTimeout(DDL_TIMEOUT));
    }
  }

  /**
   * When version 8 was applied to a keyspace whose {@code telemetry_by_device_day} may hold
   * readings; empty for a keyspace created at version 8 or later.
   */
  public static java.util.Optional<Instant> legacyTelemetrySince(CqlSession session, String keyspace) {
    Row row = session.execute("SELECT applied_at FROM " + requireKeyspace(keyspace) + "." + VERSION_TABLE
        + " WHERE component = ? LIMIT 1", LEGACY_TELEMETRY_COMPONENT).one();
    return row == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(row.getInstant("applied_at"));
  }

  public int currentVersion() {
    Row row = session.execute("SELECT version FROM " + keyspace + ".schema_version WHERE component = 'fleet' LIMIT 1").one();
    return row == null ? 0 : row.getInt("version");
  }

  static String replicationCql(Map<String, Object> replication) {
    return replication.entrySet().stream()
        .map(e -> "'" + e.getKey() + "': '" + e.getValue() + "'")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  /** The script's statements with the keyspace filled in; comments and blank lines dropped. */
  List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        statements.add(statement.substring(0, statement.length() - 1).replace("${keyspace}", keyspace));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("schema script ends without ';': " + current);
    }
    return statements;
  }

  private static String read(String script) {
    try (InputStream in = SchemaMigrations.class.getResourceAsStream("/schema/" + script)) {
      if (in == null) {
        throw new IllegalStateException("schema script /schema/" + script + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read schema script " + script, e);
    }
  }
}
