package io.fleetpulse.persistence.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.CqlSessionProvider;
import org.apache.pekko.stream.connectors.cassandra.DriverConfigLoaderFromConfig$;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko Persistence Cassandra plugin's session, built like its default one (the actor
 * system's {@code datastax-java-driver} section) plus the credentials and TLS of {@code
 * fleetpulse.persistence.cassandra} ({@link CassandraSessions}). The driver's configuration cannot
 * switch TLS or an auth provider on only when a variable is set, so the node names this class in
 * {@code pekko.persistence.cassandra.session-provider} instead.
 */
public final class JournalSessionProvider implements CqlSessionProvider {

  private final ActorSystem system;
  private final Config config;

  /** The plugin's constructor: the actor system and the plugin's own config section. */
  public JournalSessionProvider(ActorSystem system, Config config) {
    this.system = system;
    this.config = config;
  }

  @Override
  public Future<CqlSession> connect(ExecutionContext executionContext) {
    Config driver = CqlSessionProvider.driverConfig(system, config);
    CassandraSettings settings = CassandraSettings.fromConfig(system.settings().config());
    var builder = CqlSession.builder().withConfigLoader(DriverConfigLoaderFromConfig$.MODULE$.fromConfig(driver));
    return FutureConverters.asScala(CassandraSessions.secure(builder, settings).buildAsync().toCompletableFuture());
  }
}
