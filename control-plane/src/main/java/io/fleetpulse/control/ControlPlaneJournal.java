package io.fleetpulse.control;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;

/**
 * Where the control plane's entities keep their events: the Pekko Persistence Cassandra plugin,
 * configured here rather than in a reference.conf (another library's reference.conf would win or
 * lose by class-path order), in the keyspace {@code fleetpulse.control.journal-keyspace}.
 */
public final class ControlPlaneJournal {

  private ControlPlaneJournal() {}

  /**
   * The actor system's settings for a journal and snapshot store in Cassandra at {@code
   * contactPoints} ({@code host:port}): keyspace and tables are created by the node at start (see
   * {@link #tables}), never by the plugin; no tagged events (views are fed through Distributed Data).
   */
  public static Config cassandra(ControlPlaneSettings settings, List<String> contactPoints, String localDatacenter) {
    return ConfigFactory.parseMap(Map.of(
        "pekko.persistence.journal.plugin", "pekko.persistence.cassandra.journal",
        "pekko.persistence.snapshot-store.plugin", "pekko.persistence.cassandra.snapshot",
        "pekko.persistence.cassandra.journal.keyspace", settings.journalKeyspace(),
        "pekko.persistence.cassandra.snapshot.keyspace", settings.journalKeyspace(),
        "pekko.persistence.cassandra.journal.keyspace-autocreate", false,
        "pekko.persistence.cassandra.journal.tables-autocreate", false,
        "pekko.persistence.cassandra.snapshot.keyspace-autocreate", false,
        "pekko.persistence.cassandra.snapshot.tables-autocreate", false,
        "pekko.persistence.cassandra.events-by-tag.enabled", false,
        "datastax-java-driver.basic.contact-points", contactPoints))
        .withFallback(ConfigFactory.parseMap(Map.of(
            "datastax-java-driver.basic.load-balancing-policy.local-datacenter", localDatacenter,
            "pekko.cluster.distributed-data.notify-subscribers-interval", settings.notifyInterval().toMillis() + "ms")));
  }

  /** Pekko's in-memory journal, for a node without storage: nothing survives a restart, no node shares it. */
  public static Config inMemory(ControlPlaneSettings settings) {
    return ConfigFactory.parseMap(Map.of(
        "pekko.persistence.journal.plugin", "pekko.persistence.journal.inmem",
        "pekko.persistence.snapshot-store.plugin", "pekko.persistence.no-snapshot-store",
        "pekko.cluster.distributed-data.notify-subscribers-interval", settings.notifyInterval().toMillis() + "ms"));
  }

  /**
   * The journal's and snapshot store's tables (CREATE TABLE IF NOT EXISTS) in the configured
   * keyspace, for the node to create at start like the rest of the schema.
   */
  public static List<String> tables(ActorSystem<?> system) {
    KeyspaceAndTableStatements statements = new KeyspaceAndTableStatements(
        system, "pekko.persistence.cassandra", PluginSettings.apply(system.classicSystem()));
    List<String> tables = new ArrayList<>(statements.getCreateJournalTablesStatements());
    tables.addAll(statements.getCreateSnapshotTablesStatements());
    return tables;
  }

  /** The query plugin that reads the journal back (a device's history). */
  public static String readJournal() {
    return CassandraReadJournal.Identifier();
  }
}
