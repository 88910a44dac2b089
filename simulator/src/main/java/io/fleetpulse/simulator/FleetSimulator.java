package io.fleetpulse.simulator;

import com.hivemq.client.mqtt.MqttClientExecutorConfig;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.registry.MqttLogin;
import io.fleetpulse.simulator.mqtt.DeadLetterListener;
import io.fleetpulse.simulator.mqtt.Gateways;
import io.fleetpulse.simulator.mqtt.MqttClients;
import io.fleetpulse.simulator.node.NodeClient;
import io.fleetpulse.simulator.node.NodeSummary;
import io.fleetpulse.simulator.plan.Fleet;
import io.fleetpulse.simulator.plan.MessagePlan;
import io.fleetpulse.simulator.plan.SimulatedDevice;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet simulator: simulated devices publish telemetry to a
 * FleetPulse node over MQTT (HiveMQ async client, devices grouped onto a few gateway connections),
 * dead letters are counted from {@code fleet/+/+/dead-letter}, and, given an API URL, the node's
 * {@code /api/fleet/summary} is read before and after. Run it from the command line ({@link
 * #main}) or from tests ({@link #run(SimulatorSettings)}); both return or print a {@link
 * SimulationReport}.
 */
public final class FleetSimulator {

  private static final Logger LOG = LoggerFactory.getLogger(FleetSimulator.class);
  private static final int EXIT_USAGE = 2;
  private static final int EXIT_FAILURE = 1;

  private final SimulatorSettings settings;
  private final Consumer<String> progress;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile SimulationRun run;

  private FleetSimulator(SimulatorSettings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** A simulator that reports progress lines to {@code progress}; start it with {@link #run()}. */
  public static FleetSimulator create(SimulatorSettings settings, Consumer<String> progress) {
    return new FleetSimulator(settings, progress);
  }

  /** Runs to completion, logging progress at INFO; blocks until the report is ready. */
  public static SimulationReport run(SimulatorSettings settings) throws InterruptedException {
    return create(settings, LOG::info).run();
  }

  /**
   * Connects, publishes until the message count, the duration or {@link #stop()} ends the run,
   * waits for acknowledgements and {@code drain} for dead letters, and reports. Throws {@link
   * IllegalArgumentException} for inconsistent settings and {@link IllegalStateException} when the
   * broker or the node's API cannot be reached at the start.
   */
  public SimulationReport run() throws InterruptedException {
    try {
      return execute(settings.validated());
    } finally {
      finished.countDown();
    }
  }

  /** Stops publishing; {@link #run()} then finishes and reports. Callable from any thread. */
  public void stop() {
    stopRequested = true;
    SimulationRun current = run;
    if (current != null) {
      current.stop();
    }
  }

  /** Waits until {@link #run()} has returned or thrown. */
  public boolean awaitFinished(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private SimulationReport execute(SimulatorSettings settings) throws InterruptedException {
    SimulatorSettings.Tuning tuning = settings.tuning();
    List<SimulatedDevice> fleet = Fleet.layout(settings.devices(), settings.effectiveConnections(), settings.sites(),
        settings.rotatingMachineShare(), settings.faultyShare(), settings.seed());
    MessagePlan plan = MessagePlan.create(settings.messages(), settings.devices(),
        new MessagePlan.Shares(settings.malformedShare(), settings.duplicateShare(), settings.lateShare()),
        settings.seed(), tuning.unlimitedPlanRounds());
    RunCounters counters = new RunCounters(fleet);
    Optional<javax.net.ssl.TrustManagerFactory> trust = tuning.caCertificate().isEmpty() ? Optional.empty()
        : Optional.of(MqttClients.trusting(java.nio.file.Path.of(tuning.caCertificate())));
    Optional<NodeClient> node = settings.apiUrl().map(url -> new NodeClient(url, tuning.httpTimeout(),
        tuning.apiToken().isBlank() ? Optional.empty() : Optional.of(tuning.apiToken()), trust));
    Optional<NodeSummary> before = node.map(client -> summary(client)
        .orElseThrow(() -> new IllegalStateException("cannot read the node summary at " + client.summaryUri())));

    MqttClientExecutorConfig executor = MqttClients.sharedExecutor(tuning.nettyThreads());
    String runId = Long.toString(ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), Character.MAX_RADIX);
    String prefix = tuning.clientIdPrefix() + "-" + runId;
    List<Optional<MqttLogin>> logins = provision(node, settings, fleet);
    List<DeadLetterListener> deadLetters = new ArrayList<>();
    for (int site = 0; site < (node.isPresent() ? settings.sites() : 1); site++) {
      Optional<MqttLogin> login = logins.get(site);
      deadLetters.add(new DeadLetterListener(settings.brokerUrl(),
          login.map(l -> l.clientId(runId + "-dead-letters")).orElse(prefix + "-dead-letters"), login,
          Fleet.siteName(site), executor, trust, counters::onDeadLetter));
    }
    int connections = Fleet.connections(settings.devices(), settings.effectiveConnections(), settings.sites());
    Duration elapsed;
    Duration processing = null;
    try {
      for (DeadLetterListener listener : deadLetters) {
        await(listener.start(tuning.keepAlive(), tuning.connectTimeout()), "subscribe to dead letters");
      }
      Gateways.Options options = new Gateways.Options(settings.brokerUrl(), tuning.clientIdPrefix(), runId,
          n -> logins.get(node.isPresent() ? Fleet.siteOfConnection(n, settings.sites()) : 0), executor, trust,
          settings.maxInFlightPerConnection(), tuning.keepAlive(), tuning.connectTimeout(), tuning.connectParallelism());
      try (Gateways gateways = Gateways.connect(connections, options)) {
        LOG.info("{} devices on {} connections to {}", settings.devices(), gateways.size(), settings.brokerUrl());
        run = new SimulationRun(settings, fleet, plan, counters, gateways, progress);
        if (stopRequested) {
          run.stop();
        }
        long publishStart = System.nanoTime();
        elapsed = run.publish();
        if (node.isPresent()) {
          // The broker acknowledges before the node has processed: wait for the node to settle
          // what was acknowledged so the processed rate is measured, and its dead letters are out.
          processing = awaitNodeSettled(node.get(), before.get(), counters.acknowledged(), publishStart,
              tuning.settleTimeout());
        }
      }
      Thread.sleep(settings.drain().toMillis());
    } finally {
      for (DeadLetterListener listener : deadLetters) {
        listener.stop().completeOnTimeout(null, tuning.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).join();
      }
    }
    Optional<NodeSummary> after = node.flatMap(FleetSimulator::summary);
    return report(counters, elapsed, processing == null ? elapsed : processing, before, after);
  }

  /**
   * With the node's API: registers each site's edge gateway and takes its login (and, when asked,
   * registers every device in one bulk upload); the login of site {@code i} is at index {@code i}.
   * Without it: one empty login, the connections are anonymous.
   */
  private static List<Optional<MqttLogin>> provision(Optional<NodeClient> node, SimulatorSettings settings,
      List<SimulatedDevice> fleet) throws InterruptedException {
    if (node.isEmpty()) {
      return List.of(Optional.empty());
    }
    List<Optional<MqttLogin>> logins = new ArrayList<>();
    try {
      for (int site = 0; site < settings.sites(); site++) {
        logins.add(Optional.of(node.get().edgeGateway(settings.tuning().clientIdPrefix() + "-" + Fleet.siteName(site),
            Fleet.siteName(site))));
      }
      if (settings.tuning().registerDevices()) {
        List<String> lines = new ArrayList<>(fleet.size());
        for (SimulatedDevice device : fleet) {
          lines.add(device.deviceId() + "," + device.site() + "," + device.profile().id());
        }
        long refused = node.get().registerDevices(lines);
        if (refused > 0) {
          throw new IllegalStateException(refused + " of " + fleet.size() + " simulated devices were not registered");
        }
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot provision the simulator's edge gateways through " + settings.apiUrl().get()
          + ": " + e.getMessage(), e);
    }
    return logins;
  }

  /**
   * Polls the node until it has settled (accepted, counted as duplicate or rejected) as many
   * messages as the broker acknowledged since {@code before}; returns the time from the first
   * publish, or the time until {@code patience} ran out when the node did not get there. A node
   * whose port has refused connections for {@link #NODE_GONE} is not waited for (stopped or
   * killed first).
   */
  private static Duration awaitNodeSettled(
      NodeClient client, NodeSummary before, long acknowledged, long publishStart, Duration patience)
      throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    long listening = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Optional<NodeSummary> now;
      try {
        now = Optional.of(client.summary());
        listening = System.nanoTime();
      } catch (java.net.ConnectException e) {
        // Nobody listens at the node's port: stopped or killed, not busy (a busy node times out).
        if (System.nanoTime() - listening > NODE_GONE.toNanos()) {
          LOG.warn("nothing has listened at {} for {}: not waiting for the node to settle", client.summaryUri(), NODE_GONE);
          return Duration.ofNanos(System.nanoTime() - publishStart);
        }
        now = Optional.empty();
      } catch (IOException e) {
        LOG.warn("cannot read the node summary at {}: {}", client.summaryUri(), e.toString());
        listening = System.nanoTime();
        now = Optional.empty();
      }
      if (now.isPresent() && settled(now.get()) - settled(before) >= acknowledged) {
        return Duration.ofNanos(System.nanoTime() - publishStart);
      }
      Thread.sleep(now.isPresent() ? 100 : 500);
    }
    LOG.warn("the node had not settled all {} acknowledged messages after {}; its rate is measured up to now",
        acknowledged, patience);
    return Duration.ofNanos(System.nanoTime() - publishStart);
  }

  /** How long a node whose port refuses connections is waited for while it settles. */
  private static final Duration NODE_GONE = Duration.ofSeconds(5);

  private static long settled(NodeSummary summary) {
    NodeSummary.MessageCounts m = summary.messages();
    return m.accepted() + m.duplicates() + m.rejected();
  }

  private static SimulationReport report(
      RunCounters counters, Duration elapsed, Duration processing, Optional<NodeSummary> before,
      Optional<NodeSummary> after) {
    double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
    double processingSeconds = Math.max(processing.toNanos(), 1) / 1e9;
    Optional<NodeMeasurement> node = before.flatMap(start -> after.map(end -> new NodeMeasurement(
        start, end, (settled(end) - settled(start)) / processingSeconds)));
    return new SimulationReport(counters.sent(), counters.acknowledged(), counters.failed(), counters.duplicates(),
        counters.late(), counters.malformedByCode(), counters.deadLettersByCode(), counters.validUniqueByDevice(),
        elapsed, counters.sent() / seconds, counters.acknowledged() / seconds, node);
  }

  private static Optional<NodeSummary> summary(NodeClient client) {
    try {
      return Optional.of(client.summary());
    } catch (IOException e) {
      LOG.warn("cannot read the node summary at {}: {}", client.summaryUri(), e.toString());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static void await(CompletableFuture<Void> future, String what)
      throws InterruptedException {
    try {
      future.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause(), e.getCause());
    }
  }

  /** Command-line entry point; see {@link CommandLine#USAGE}. Ctrl-C stops and prints the report. */
  public static void main(String[] args) {
    SimulatorSettings settings;
    try {
      Optional<Config> overrides = CommandLine.parse(args);
      if (overrides.isEmpty()) {
        System.out.println(CommandLine.USAGE);
        return;
      }
      settings = SimulatorSettings.fromConfig(overrides.get().withFallback(ConfigFactory.load())).validated();
    } catch (RuntimeException e) {
      System.err.println("fleet simulator: " + e.getMessage());
      System.err.println(CommandLine.USAGE);
      System.exit(EXIT_USAGE);
      return;
    }
    FleetSimulator simulator = create(settings, System.out::println);
    CountDownLatch printed = new CountDownLatch(1);
    ShutdownHook hook = new ShutdownHook(simulator, printed, settings);
    Runtime.getRuntime().addShutdownHook(hook);
    int status = 0;
    try {
      System.out.print(simulator.run().render());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = EXIT_FAILURE;
    } catch (RuntimeException e) {
      System.err.println("fleet simulator failed: " + e.getMessage());
      status = EXIT_FAILURE;
    } finally {
      System.out.flush();
      printed.countDown();
    }
    if (!hook.started) {
      // Netty's event-loop threads are not daemons; exiting is quicker than waiting them out.
      System.exit(status);
    }
  }

  /** On Ctrl-C: stop publishing and keep the JVM alive until the report is printed. */
  private static final class ShutdownHook extends Thread {
    private final FleetSimulator simulator;
    private final CountDownLatch printed;
    private final Duration patience;
    private volatile boolean started;

    ShutdownHook(FleetSimulator simulator, CountDownLatch printed, SimulatorSettings settings) {
      super("fleet-simulator-shutdown");
      this.simulator = simulator;
      this.printed = printed;
      SimulatorSettings.Tuning tuning = settings.tuning();
      this.patience = tuning.ackTimeout().plus(tuning.settleTimeout()).plus(settings.drain())
          .plus(tuning.connectTimeout())
          .plus(tuning.httpTimeout());
    }

    @Override
    public void run() {
      started = true;
      simulator.stop();
      try {
        // The main thread prints the report once run() returns.
        printed.await(patience.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
