package io.fleetpulse.persistence.cassandra;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the embedded Cassandra node ({@code fleetpulse.persistence.cassandra.embedded}).
 * {@code commitlogSyncWindow}: the node acknowledges a write only after its commit log is synced
 * to disk, grouping the writes of this window into one sync (Cassandra's {@code group} mode).
 * {@code concurrentWrites}: the node's mutation threads; each waits for the sync of its write.
 */
public record EmbeddedCassandraSettings(
    boolean enabled,
    Path runtimeClasspath,
    Path dataDirectory,
    String clusterName,
    String address,
    int nativePort,
    int storagePort,
    long heapBytes,
    String java,
    Duration startTimeout,
    Duration stopTimeout,
    Duration commitlogSyncWindow,
    int concurrentWrites) {

  public static final String CONFIG_PATH = "fleetpulse.persistence.cassandra.embedded";

  public static EmbeddedCassandraSettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    return new EmbeddedCassandraSettings(
        c.getBoolean("enabled"),
        Path.of(c.getString("runtime-classpath")),
        Path.of(c.getString("data-directory")),
        c.getString("cluster-name"),
        c.getString("address"),
        c.getInt("native-port"),
        c.getInt("storage-port"),
        c.getBytes("heap"),
        c.getString("java"),
        c.getDuration("start-timeout"),
        c.getDuration("stop-timeout"),
        c.getDuration("commitlog-sync-window"),
        c.getInt("concurrent-writes"));
  }

  public EmbeddedCassandraSettings withPorts(int cqlPort, int storage) {
    return new EmbeddedCassandraSettings(enabled, runtimeClasspath, dataDirectory, clusterName, address, cqlPort, storage,
        heapBytes, java, startTimeout, stopTimeout, commitlogSyncWindow, concurrentWrites);
  }

  public EmbeddedCassandraSettings withDataDirectory(Path directory) {
    return new EmbeddedCassandraSettings(enabled, runtimeClasspath, directory, clusterName, address, nativePort, storagePort,
        heapBytes, java, startTimeout, stopTimeout, commitlogSyncWindow, concurrentWrites);
  }

  /**
   * A node of its own for a test or a benchmark: the given class path and data directory, and
   * native and storage ports that are free now.
   */
  public EmbeddedCassandraSettings isolated(Path runtimeClasspath, Path directory) {
    return withRuntimeClasspath(runtimeClasspath).withDataDirectory(directory).withPorts(freePort(), freePort());
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("no free port", e);
    }
  }

  public EmbeddedCassandraSettings withConcurrentWrites(int threads) {
    return new EmbeddedCassandraSettings(enabled, runtimeClasspath, dataDirectory, clusterName, address, nativePort,
        storagePort, heapBytes, java, startTimeout, stopTimeout, commitlogSyncWindow, threads);
  }

  public EmbeddedCassandraSettings withRuntimeClasspath(Path directory) {
    return new EmbeddedCassandraSettings(enabled, directory, dataDirectory, clusterName, address, nativePort, storagePort,
        heapBytes, java, startTimeout, stopTimeout, commitlogSyncWindow, concurrentWrites);
  }
}
