package io.fleetpulse.persistence.cassandra;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How FleetPulse reaches Cassandra ({@code fleetpulse.persistence.cassandra}), read once. */
public record CassandraSettings(
    EmbeddedCassandraSettings embedded, List<String> contactPoints, String localDatacenter, String keyspace,
    Map<String, Object> replication) {

  public static final String CONFIG_PATH = "fleetpulse.persistence.cassandra";

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
        c.getString("keyspace"), Map.copyOf(replication));
  }
}
