package io.fleetpulse.persistence.cassandra;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a real Apache Cassandra 5 node in its own JVM, from the jars the {@code
 * cassandra-runtime} module lays out: the node of the default single-machine run (data kept in
 * {@code var/cassandra}) and of the integration tests (a temporary directory, free ports). Not in
 * the calling JVM: Cassandra starts once per JVM and brings library versions that clash with the
 * node's. Ready means the CQL port accepts connections. {@link #close} stops it cleanly (SIGTERM,
 * the commit log is flushed), {@link #kill} like a crash (SIGKILL).
 */
public final class CassandraLauncher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CassandraLauncher.class);
  private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

  // What Cassandra 5's jvm17-server.options opens up; without them it fails on Java 17.
  private static final List<String> MODULE_FLAGS = List.of(
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
      "--add-exports=java.sql/java.sql=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
      "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED");

  private final Process process;
  private final EmbeddedCassandraSettings settings;
  private final Path log;

  private CassandraLauncher(Process process, EmbeddedCassandraSettings settings, Path log) {
    this.process = process;
    this.settings = settings;
    this.log = log;
  }

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /** Starts the node and returns once its CQL port accepts connections. */
  public static CassandraLauncher start(EmbeddedCassandraSettings settings) {
    Path lib = settings.runtimeClasspath().toAbsolutePath();
    if (!Files.isDirectory(lib)) {
      throw new IllegalStateException("no Cassandra class path at " + lib + ": build it with `mvn -pl cassandra-runtime package`");
    }
    Path data = settings.dataDirectory().toAbsolutePath();
    Path conf = data.resolve("conf");
    Path logs = data.resolve("logs");
    try {
      Files.createDirectories(conf);
      Files.createDirectories(logs);
      Files.writeString(conf.resolve("cassandra.yaml"), yaml(settings), StandardCharsets.UTF_8);
      Files.writeString(conf.resolve("logback.xml"), logback(logs), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare Cassandra's directory " + data, e);
    }
    List<String> command = new ArrayList<>();
    // Its own session and process group: Ctrl-C in a terminal signals the foreground group, and
    // the node must stop Cassandra last, after draining, not have it die first. setsid execs in
    // place (a child of a JVM is never a group leader), so the pid stays the JVM's.
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    command.add(settings.java().isBlank() ? Path.of(System.getProperty("java.home"), "bin", "java").toString() : settings.java());
    command.add("-Xms" + settings.heapBytes());
    command.add("-Xmx" + settings.heapBytes());
    command.add("-XX:+UseG1GC");
    command.add("-Djava.net.preferIPv4Stack=true");
    command.add("-Dcassandra-foreground=yes");
    command.add("-Dcassandra.config=" + conf.resolve("cassandra.yaml").toUri());
    command.add("-Dcassandra.storagedir=" + data.resolve("storage"));
    command.add("-Dcassandra.logdir=" + logs);
    command.add("-Dlogback.configurationFile=" + conf.resolve("logback.xml"));
    command.addAll(MODULE_FLAGS);
    command.add("-cp");
    command.add(lib.resolve("*").toString());
    command.add(MAIN_CLASS);
    Path out = logs.resolve("stdout.log");
    Process process;
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Cassandra JVM: " + e.getMessage(), e);
    }
    CassandraLauncher launcher = new CassandraLauncher(process, settings, out);
    // A child process outlives its parent: whatever way this JVM ends, the node goes with it.
    Runtime.getRuntime().addShutdownHook(new Thread(launcher::close, "cassandra-launcher-stop"));
    launcher.awaitCql();
    LOG.info("Cassandra {} listening for CQL on {}:{} (data in {}, pid {})",
        settings.clusterName(), settings.address(), settings.nativePort(), data, process.pid());
    return launcher;
  }

  private void awaitCql() {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Cassandra exited with " + process.exitValue() + " during start-up:\n" + tail());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(settings.address(), settings.nativePort()), 250);
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          process.destroyForcibly();
          throw new IllegalStateException("interrupted while Cassandra was starting", e);
        }
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("Cassandra did not open its CQL port within " + settings.startTimeout() + ":\n" + tail());
  }

  public InetSocketAddress cqlAddress() {
    return new InetSocketAddress(settings.address(), settings.nativePort());
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Ends the node like a crash: SIGKILL, no flush. */
  public void kill() {
    process.destroyForcibly();
    waitForExit();
  }

  /**
   * Stops the node cleanly (SIGTERM); forcibly if it does not exit within the stop timeout. Also
   * runs from a JVM shutdown hook, so it is idempotent.
   */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("Cassandra did not stop within {}; killing it", settings.stopTimeout());
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private void waitForExit() {
    try {
      process.waitFor(settings.stopTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }

  /**
   * The node's configuration. The commit log is in {@code group} mode: a write is acknowledged
   * only once the commit log holding it is synced, the writes of one window sharing a sync. In
   * the default {@code periodic} mode Cassandra acknowledges before the sync, and a killed node
   * replays its log only up to the last sync marker: up to the period's acknowledged writes are
   * lost (seen: one message of 4,000 in CassandraOutageIT). FleetPulse acknowledges telemetry to
   * devices on Cassandra's word, so that word must be durable.
   */
  static String yaml(EmbeddedCassandraSettings settings) {
    return """
        cluster_name: '%s'
        num_tokens: 16
        partitioner: org.apache.cassandra.dht.Murmur3Partitioner
        endpoint_snitch: SimpleSnitch
        commitlog_sync: group
        commitlog_sync_group_window: %dms
        concurrent_writes: %d
        native_transport_max_threads: %d
        seed_provider:
          - class_name: org.apache.cassandra.locator.SimpleSeedProvider
            parameters:
              - seeds: "%s:%d"
        listen_address: %s
        rpc_address: %s
        storage_port: %d
        native_transport_port: %d
        start_native_transport: true
        """.formatted(settings.clusterName(), settings.commitlogSyncWindow().toMillis(), settings.concurrentWrites(), Math.max(128, settings.concurrentWrites()), settings.address(), settings.storagePort(), settings.address(),
            settings.address(), settings.storagePort(), settings.nativePort());
  }

  private static String logback(Path logs) {
    return """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{36} - %%msg%%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="FILE"/></root>
        </configuration>
        """.formatted(logs.resolve("system.log"));
  }
}
