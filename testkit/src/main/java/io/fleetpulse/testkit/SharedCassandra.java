package io.fleetpulse.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.persistence.cassandra.CassandraLauncher;
import io.fleetpulse.persistence.cassandra.CassandraSettings;
import io.fleetpulse.persistence.schema.SchemaMigrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Cassandra 5 node per test JVM, shared by every test class that registers this
 * extension; each test starts from an empty keyspace ({@link #emptyKeyspace}). The
 * node starts when the first such class does and stops when the JVM's test run ends, so a module
 * whose integration tests share one fork starts Cassandra once. A test that kills or restarts
 * Cassandra must start a node of its own with {@link CassandraLauncher}.
 *
 * <pre>{@code
 * @RegisterExtension static final SharedCassandra CASSANDRA = new SharedCassandra();
 * Config node = CASSANDRA.nodeConfig(CASSANDRA.emptyKeyspace()).withFallback(...);
 * }</pre>
 *
 * <p>The node's class path is {@code cassandra-runtime/target/lib}, found from the module
 * directory the test runs in ({@code fleetpulse.test.cassandra-runtime} overrides it).
 */
public final class SharedCassandra implements BeforeAllCallback {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedCassandra.class);

  private volatile Node node;

  @Override
  public void beforeAll(ExtensionContext context) {
    node = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Node.class, type -> Node.start(), Node.class);
  }

  /** A session on the node, shared by the JVM's tests; not bound to a keyspace. Do not close it. */
  public CqlSession session() {
    return started().session;
  }

  /**
   * The keyspace the JVM's tests store in, emptied, and the control plane's journal with it:
   * every table's rows are truncated, the schema (created here for the JVM's first test) is kept. Tests of one JVM run one after another, so each starts from no rows without paying for a schema of its own (creating
   * FleetPulse's tables takes seconds; truncating them about one).
   */
  public String emptyKeyspace() {
    Node current = started();
    String keyspace = current.settings.keyspace();
    if (current.session.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)
        .one() == null) {
      // The JVM's first test: the schema as a node creates it, so the test may write rows first.
      try (CqlSession migrating = CqlSession.builder().withConfigLoader(SchemaMigrations.sessionConfig())
          .addContactPoint(current.launcher.cqlAddress()).withLocalDatacenter(current.settings.localDatacenter()).build()) {
        new SchemaMigrations(migrating, keyspace).migrate(current.settings.replication());
      }
    }
    truncate(current.session, keyspace);
    // The control plane's journal too (its own keyspace): a device registered by an earlier test
    // would otherwise come back, with that test's site, in the next one.
    Config config = ConfigFactory.load();
    if (config.hasPath(CONTROL_KEYSPACE)) {
      truncate(current.session, config.getString(CONTROL_KEYSPACE));
    }
    return keyspace;
  }

  private static final String CONTROL_KEYSPACE = "fleetpulse.control.journal-keyspace";

  /** Every table of the keyspace emptied, the schema version kept; nothing when the keyspace does not exist yet. */
  private static void truncate(CqlSession session, String keyspace) {
    List<String> tables = new ArrayList<>();
    session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)
        .forEach(row -> tables.add(row.getString("table_name")));
    for (String table : tables) {
      if (!table.equals(SchemaMigrations.VERSION_TABLE)) {
        session.execute("TRUNCATE " + keyspace + "." + table);
      }
    }
    if (tables.contains(SchemaMigrations.VERSION_TABLE)) {
      // The schema's versions stay; one-time steps an earlier test recorded (the registry import) go.
      List<String> components = new ArrayList<>();
      session.execute("SELECT DISTINCT component FROM " + keyspace + "." + SchemaMigrations.VERSION_TABLE)
          .forEach(row -> components.add(row.getString("component")));
      for (String component : components) {
        if (!component.equals(SchemaMigrations.SCHEMA_COMPONENT)) {
          session.execute("DELETE FROM " + keyspace + "." + SchemaMigrations.VERSION_TABLE + " WHERE component = ?", component);
        }
      }
    }
  }

  /**
   * HOCON that points a FleetPulse node (or anything reading {@code fleetpulse.persistence}) at
   * this node and {@code keyspace} instead of starting an embedded Cassandra of its own.
   */
  public Config nodeConfig(String keyspace) {
    return ConfigFactory.parseString(nodeOverrides(keyspace));
  }

  /** {@link #nodeConfig} as HOCON text, for a configuration file of a node in another JVM. */
  public String nodeOverrides(String keyspace) {
    return """
        fleetpulse.persistence.cassandra.embedded.enabled = false
        fleetpulse.persistence.cassandra.contact-points = ["%s:%d"]
        fleetpulse.persistence.cassandra.keyspace = "%s"
        """.formatted(address().getHostString(), address().getPort(), keyspace);
  }

  private InetSocketAddress address() {
    return started().launcher.cqlAddress();
  }

  private Node started() {
    Node current = node;
    if (current == null) {
      throw new IllegalStateException("SharedCassandra is used before its beforeAll: register it as a static field");
    }
    return current;
  }

  /** The running node, closed by JUnit when the root context closes (the end of the JVM's run). */
  private static final class Node implements AutoCloseable {
    private final CassandraLauncher launcher;
    private final CassandraSettings settings;
    private final CqlSession session;
    private final Path directory;

    private Node(CassandraLauncher launcher, CassandraSettings settings, CqlSession session, Path directory) {
      this.launcher = launcher;
      this.settings = settings;
      this.session = session;
      this.directory = directory;
    }

    static Node start() {
      CassandraSettings settings = CassandraSettings.fromConfig(ConfigFactory.load());
      Path runtime = Path.of(System.getProperty("fleetpulse.test.cassandra-runtime", "../cassandra-runtime/target/lib"));
      Path directory;
      try {
        directory = Files.createTempDirectory("fleetpulse-shared-cassandra");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      CassandraLauncher launcher = CassandraLauncher.start(settings.embedded().isolated(runtime, directory));
      CqlSession session = CqlSession.builder().addContactPoint(launcher.cqlAddress())
          .withLocalDatacenter(settings.localDatacenter()).build();
      return new Node(launcher, settings, session, directory);
    }

    @Override
    public void close() {
      try {
        session.close();
      } finally {
        launcher.close();
        deleteQuietly(directory);
      }
    }

    private static void deleteQuietly(Path directory) {
      try (Stream<Path> files = Files.walk(directory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        // a temporary directory: left for the OS to clean
      }
    }
  }
}
