package io.fleetpulse.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Cassandra 5 node from Maven artifacts, in its own JVM, on free ports. */
class CassandraLauncherIT {

  @TempDir
  Path data;

  private EmbeddedCassandraSettings settings() {
    return EmbeddedCassandraSettings.fromConfig(ConfigFactory.load())
        .isolated(Path.of("../cassandra-runtime/target/lib"), data);
  }

  @Test
  void serves_cql_and_keeps_written_rows_across_a_crash_and_a_clean_restart() {
    EmbeddedCassandraSettings settings = settings();
    try (CassandraLauncher cassandra = CassandraLauncher.start(settings)) {
      try (CqlSession session = session(cassandra)) {
        session.execute("CREATE KEYSPACE fleet WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        session.execute("CREATE TABLE fleet.readings (device text, seq bigint, value double, PRIMARY KEY (device, seq))");
        for (int seq = 1; seq <= 100; seq++) {
          session.execute("INSERT INTO fleet.readings (device, seq, value) VALUES ('rm-1', ?, ?)", (long) seq, seq * 0.5);
        }
      }
      // A crash: SIGKILL, no flush. Acknowledged writes are in the commit log.
      cassandra.kill();
      assertThat(cassandra.isAlive()).isFalse();
    }
    try (CassandraLauncher restarted = CassandraLauncher.start(settings);
        CqlSession session = session(restarted)) {
      Row row = session.execute("SELECT count(*) AS n, max(value) AS top FROM fleet.readings WHERE device = 'rm-1'").one();
      assertThat(row.getLong("n")).isEqualTo(100);
      assertThat(row.getDouble("top")).isEqualTo(50.0);
    }
  }

  @Test
  void reports_the_node_log_when_it_cannot_start() {
    EmbeddedCassandraSettings settings = settings();
    try (ServerSocket taken = new ServerSocket(settings.storagePort())) {
      assertThatThrownBy(() -> CassandraLauncher.start(settings).close())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Cassandra exited")
          .as("storage port %d was taken", taken.getLocalPort());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CqlSession session(CassandraLauncher cassandra) {
    return CqlSession.builder().addContactPoint(cassandra.cqlAddress()).withLocalDatacenter("datacenter1").build();
  }

}
