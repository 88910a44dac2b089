package io.fleetpulse.persistence.cassandra;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How FleetPulse reaches Cassandra ({@code fleetpulse.persistence.cassandra}), read once: where,
 * and for an external cluster with what credentials and over what TLS ({@link CassandraSessions}
 * applies both to every session the node opens).
 */
public record CassandraSettings(
    EmbeddedCassandraSettings embedded, List<String> contactPoints, String localDatacenter, String keyspace,
    Map<String, Object> replication, Optional<Credentials> credentials, Optional<Tls> tls) {

  public static final String CONFIG_PATH = "fleetpulse.persistence.cassandra";

  /** A role's name and password for Cassandra's PasswordAuthenticator. */
  public record Credentials(String username, String password) {
    @Override
    public String toString() {
      return "Credentials[username=" + username + ", password=(hidden)]";
    }
  }

  /**
   * TLS to Cassandra: the server certificate is checked against {@code trustStore} (a PKCS#12 or
   * JKS file), or the JVM's default trust when empty; {@code hostnameValidation} also checks that
   * the certificate names the host connected to.
   */
  public record Tls(Optional<Path> trustStore, String trustStorePassword, boolean hostnameValidation) {
    @Override
    public String toString() {
      return "Tls[trustStore=" + trustStore + ", hostnameValidation=" + hostnameValidation + "]";
    }
  }

  public static CassandraSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Config r = c.getConfig("replication");
    Map<String, Object> replication = new LinkedHashMap<>();
    String strategy = r.getString("class");
    replication.put("class", strategy);
    if (strategy.equals("SimpleStrategy")) {
      replication.put("replication_factor", r.getInt("replication-factor"));
    } else if (strategy.equals("NetworkTopologyStrategy")) {
      Config datacenters = r.getConfig("datacenters");
      if (datacenters.isEmpty()) {
        throw new IllegalArgumentException("NetworkTopologyStrategy needs replication.datacenters { <dc> = <factor> }");
      }
      datacenters.root().keySet().stream().sorted().forEach(dc -> replication.put(dc, datacenters.getInt(dc)));
    } else {
      throw new IllegalArgumentException("replication.class must be SimpleStrategy or NetworkTopologyStrategy, not " + strategy);
    }
    return new CassandraSettings(
        EmbeddedCassandraSettings.fromConfig(root), c.getStringList("contact-points"), c.getString("local-datacenter"),
        c.getString("keyspace"), Map.copyOf(replication), credentials(c.getConfig("authentication")), tls(c.getConfig("tls")));
  }

  private static Optional<Credentials> credentials(Config c) {
    String username = c.getString("username");
    String password = c.getString("password");
    if (username.isEmpty()) {
      if (!password.isEmpty()) {
        throw new IllegalArgumentException(CONFIG_PATH + ".authentication.password is set but username is empty");
      }
      return Optional.empty();
    }
    return Optional.of(new Credentials(username, password));
  }

  private static Optional<Tls> tls(Config c) {
    String trustStore = c.getString("truststore");
    if (!c.getBoolean("enabled")) {
      if (!trustStore.isEmpty()) {
        throw new IllegalArgumentException(CONFIG_PATH + ".tls.truststore is set but tls.enabled is false");
      }
      return Optional.empty();
    }
    return Optional.of(new Tls(trustStore.isEmpty() ? Optional.empty() : Optional.of(Path.of(trustStore)),
        c.getString("truststore-password"), c.getBoolean("hostname-validation")));
  }
}
