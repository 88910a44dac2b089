package io.fleetpulse.node;

import static org.apache.pekko.http.javadsl.server.Directives.concat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.AlertStore;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.RegistryStore;
import io.fleetpulse.api.telemetry.TelemetryStore;
import io.fleetpulse.control.ControlPlaneJournal;
import io.fleetpulse.control.ControlPlaneSettings;
import io.fleetpulse.control.models.ModelDecisions;
import io.fleetpulse.control.registry.DeviceRegistrations;
import io.fleetpulse.fleet.Devices;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.device.DeviceStorage;
import io.fleetpulse.fleet.directory.FleetDirectory;
import io.fleetpulse.gateway.DeviceGateway;
import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.auth.MqttAccess;
import io.fleetpulse.gateway.mqtt.EmbeddedBroker;
import io.fleetpulse.gateway.registry.DeviceRegistration;
import io.fleetpulse.gateway.registry.DeviceRegistry;
import io.fleetpulse.gateway.registry.RegistryView;
import io.fleetpulse.node.alerts.AlertDelivery;
import io.fleetpulse.node.alerts.AlertFeed;
import io.fleetpulse.node.console.Console;
import io.fleetpulse.node.http.NodeRoutes;
import io.fleetpulse.node.management.NodeManagement;
import io.fleetpulse.node.management.NodeReadiness;
import io.fleetpulse.persistence.FleetStorage;
import io.fleetpulse.persistence.PersistenceSettings;
import io.fleetpulse.persistence.alerts.CassandraAlertStore;
import io.fleetpulse.persistence.records.CassandraDeviceRecords;
import io.fleetpulse.persistence.registry.CassandraRegistryStore;
import io.fleetpulse.persistence.telemetry.CassandraTelemetryHistory;
import io.fleetpulse.persistence.telemetry.CassandraTelemetryStore;
import io.fleetpulse.queryapi.QueryApiSettings;
import io.fleetpulse.queryapi.QueryRoutes;
import io.fleetpulse.serving.ModelDecision;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.pool.InferenceClient;
import io.fleetpulse.serving.pool.InferencePool;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.serving.registry.ModelStatus;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts one FleetPulse node: the embedded broker (unless an external one is configured), a Pekko
 * Cluster member hosting the device actors' sharding region and the fleet directory, the gateway
 * subscribed to the broker, and the HTTP API with the dashboard. Shutdown runs through Pekko's
 * coordinated shutdown, in order: HTTP unbinds, the gateway drains and disconnects (so nothing
 * unacknowledged is lost), actors stop, the embedded broker stops last.
 */
public final class FleetPulseNode {

  private static final Logger LOG = LoggerFactory.getLogger(FleetPulseNode.class);
  /** Nodes with this cluster role run an inference pool. */
  public static final String INFERENCE_ROLE = "inference";
  /** Nodes with this cluster role subscribe to the broker and ingest telemetry. */
  public static final String GATEWAY_ROLE = "gateway";

  private FleetPulseNode() {}

  public static void main(String[] args) {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    RunningNode node;
    try {
      node = start(ConfigFactory.load());
    } catch (RuntimeException e) {
      LOG.error("FleetPulse node failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    System.out.printf("%nFleetPulse node '%s' is running.%n  Dashboard: %s/%n  API:       %s/api/fleet/summary%n  MQTT:      %s%nPress Ctrl-C to stop.%n%n",
        node.settings().name(), node.httpUrl(), node.httpUrl(), node.brokerUrl());
    node.system().getWhenTerminated().toCompletableFuture().join();
  }

  /** Starts a node and returns once its HTTP API is bound. */
  public static RunningNode start(Config configured) {
    Config config = ListOverrides.apply(configured);
    NodeSettings nodeSettings = NodeSettings.fromConfig(config);
    GatewaySettings gatewaySettings = GatewaySettings.fromConfig(config).withServiceSecret();
    FleetSettings fleetSettings = FleetSettings.fromConfig(config);
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    Clock clock = Clock.systemUTC();

    PersistenceSettings persistenceSettings = PersistenceSettings.fromConfig(config);
    ControlPlaneSettings controlSettings = ControlPlaneSettings.fromConfig(config);
    Optional<FleetStorage> storage = persistenceSettings.enabled()
        ? Optional.of(FleetStorage.open(persistenceSettings))
        : Optional.empty();
    // The broker's access control reads this node's registry view, complete once loaded below;
    // until then the broker asks registered clients to try again (auth.not-ready).
    RegistryView registry = new RegistryView(gatewaySettings.registration(), profiles);
    Optional<MqttAccess> access = gatewaySettings.broker().password().isEmpty() ? Optional.empty()
        : Optional.of(new MqttAccess(registry, profiles, gatewaySettings.broker().username(),
            gatewaySettings.broker().password(), clock::millis));
    Optional<EmbeddedBroker> broker;
    ActorSystem<Void> system;
    try {
      broker = access.flatMap(a -> DeviceGateway.startEmbeddedBroker(gatewaySettings, a));
      try {
        Config journal = storage.map(s -> ControlPlaneJournal.cassandra(controlSettings, s.contactPoints(),
                persistenceSettings.cassandra().localDatacenter()))
            .orElseGet(() -> ControlPlaneJournal.inMemory(controlSettings));
        system = ActorSystem.create(Behaviors.empty(), "fleetpulse", journal.withFallback(config));
      } catch (RuntimeException e) {
        broker.ifPresent(EmbeddedBroker::close);
        throw e;
      }
    } catch (RuntimeException e) {
      storage.ifPresent(FleetStorage::close);
      throw e;
    }
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    // Last, and in this order: the broker (it may still hold unacknowledged messages), then storage.
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "stop-broker-and-storage",
        () -> CompletableFuture.supplyAsync(() -> {
          broker.ifPresent(EmbeddedBroker::close);
          storage.ifPresent(FleetStorage::close);
          return Done.getInstance();
        }));
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    TelemetryStore store = storage.<TelemetryStore>map(s -> new CassandraTelemetryStore(s.telemetry(), meters))
        .orElse(TelemetryStore.NONE);

    Cluster cluster = Cluster.get(system);
    try {
      LOG.info("joining the cluster: {}", NodeManagement.start(system, config, nodeSettings));
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }

    // The control plane: the registry's entities, and this node's view of it, complete before the
    // gateway takes a message (a cluster that starts cold loads the stored entries first).
    storage.ifPresent(s -> s.createComponentSchema(controlSettings.journalKeyspace(), ControlPlaneJournal.tables(system)));
    Optional<CassandraRegistryStore> storedRegistry = storage.map(FleetStorage::registry);
    RegistryStore registryStore = storedRegistry.<RegistryStore>map(s -> s).orElse(RegistryStore.NONE);
    try {
      int loaded = DeviceRegistrations.loadView(registry, registryStore).toCompletableFuture().get(60, TimeUnit.SECONDS);
      LOG.info("device registry: {} entries loaded", loaded);
      access.ifPresent(MqttAccess::ready);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("cannot load the device registry: " + rootMessage(e), e);
    }
    DeviceRegistrations registrations = DeviceRegistrations.start(system, profiles, registry, registryStore, clock,
        controlSettings, storage.map(s -> ControlPlaneJournal.readJournal()));
    storedRegistry.ifPresent(stored -> importDevicesSeenBefore(stored, registrations, controlSettings));
    ModelDecisions modelDecisions = ModelDecisions.start(system, clock, controlSettings,
        storage.map(s -> ControlPlaneJournal.readJournal()));

    ActorRef<FleetDirectory.Command> directory = FleetDirectory.initSingleton(system);
    InferenceClient inference = new InferenceClient(system, fleetSettings.device().inferenceTimeout());
    AlertFeed alertFeed = new AlertFeed(nodeSettings.alerts().feedCapacity(), NodeRoutes.JSON);
    Optional<CassandraAlertStore> alertStore = storage.map(s -> new CassandraAlertStore(s.records(), s.alerts(), meters));
    AlertDelivery alerts = AlertDelivery.start(system, alertStore.<AlertStore>map(s -> s).orElse(AlertStore.NONE),
        alertFeed, NodeRoutes.JSON, nodeSettings.alerts().mqttQos(), meters);
    DeviceStorage deviceStorage = storage
        .map(s -> new DeviceStorage(new CassandraTelemetryHistory(s.history(), clock),
            new CassandraDeviceRecords(s.records(), meters,
                id -> registry.find(id).map(DeviceRegistration::autoProvisioned).orElse(false)), alerts))
        .orElse(new DeviceStorage(io.fleetpulse.api.telemetry.TelemetryHistory.NONE,
            io.fleetpulse.api.records.DeviceRecords.NONE, alerts));
    Devices devices = Devices.init(system, profiles, fleetSettings, directory, clock, inference::infer, deviceStorage);
    Optional<DeviceGateway> gateway = cluster.selfMember().hasRole(GATEWAY_ROLE)
        ? Optional.of(DeviceGateway.start(gatewaySettings, profiles, registry, store, devices, nodeSettings.name(), clock))
        : Optional.empty();
    gateway.ifPresent(g -> {
      alerts.publishWith(g::publish);
      shutdown.addTask(
          CoordinatedShutdown.PhaseBeforeServiceUnbind(), "drain-gateway",
          () -> CompletableFuture.supplyAsync(() -> {
            g.close();
            return Done.getInstance();
          }));
      GatewayMeters.bind(meters, g.metrics());
    });
    storage.ifPresent(s -> NodeMeters.bindTelemetry(meters, s.telemetry()));
    NodeMeters.bindCluster(meters, cluster);
    NodeMeters.bindDeviceActors(meters, system, () -> devices.actorsOnThisNode(system),
        nodeSettings.metrics().deviceActorsInterval());
    Optional<ActorRef<InferencePool.Command>> pool = Optional.empty();
    if (cluster.selfMember().hasRole(INFERENCE_ROLE)) {
      ServingSettings servingSettings = ServingSettings.fromConfig(config);
      // A version whose input disagrees with a profile's binding of it never serves (ModelBindingCheck).
      ModelRegistry models = new ModelRegistry(servingSettings.registryDirectory(), servingSettings.execution(),
          ModelBindingCheck.admission(profiles.all()));
      models.loadAll().forEach(problem -> LOG.error("model refused: {}", problem));
      // The pool serves what the cluster decided on its models, not this node's highest versions:
      // it registers with the receptionist once it follows the decisions (awaitListed).
      List<String> names = models.status().stream().map(ModelStatus::name).toList();
      List<ModelDecision> decided = decided(modelDecisions, names, nodeSettings.gatewayStartTimeout());
      ActorRef<InferencePool.Command> started = system.systemActorOf(
          InferencePool.create(servingSettings, models, meters, decided), "inference-pool", InferencePool.props());
      modelDecisions.follow(names, decision -> started.tell(new InferencePool.Follow(decision)));
      pool = Optional.of(started);
      awaitListed(system, started, nodeSettings.gatewayStartTimeout());
    }
    Console console;
    try {
      console = Console.start(system, config, clock, controlSettings, storage, registry, NodeRoutes.JSON,
          nodeSettings.https().isPresent(), nodeSettings.gatewayStartTimeout());
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
    NodeRoutes routes = new NodeRoutes(
        system, profiles, registry, registrations, devices, directory, gateway, fleetSettings, cluster, pool,
        modelDecisions, Optional.of(meters), alertStore, alertFeed, nodeSettings.alerts(), access, console.security(),
        console.routes());
    access.ifPresent(a -> GatewayMeters.bindAccess(meters, a.counters()));
    // The data-team query API answers under /api/data and passes on everything else; it goes
    // first because the node's routes answer every unmatched path with 404.
    QueryApiSettings querySettings = QueryApiSettings.fromConfig(config);
    Optional<QueryRoutes> dataRoutes = storage.map(
        s -> new QueryRoutes(system, s.queryReader(querySettings.queryTimeout(), system.executionContext()), querySettings));
    ServerBinding binding;
    try {
      org.apache.pekko.http.javadsl.ServerBuilder server = Http.get(system)
          .newServerAt(nodeSettings.httpInterface(), nodeSettings.httpPort());
      if (nodeSettings.https().isPresent()) {
        server = server.enableHttps(org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(
            nodeSettings.https().get().context()));
      }
      // Every route behind the console's gate: its rule, the caller's identity, role and sites.
      binding = server
          .bind(console.security().secure(dataRoutes.map(data -> concat(data.route(), routes.route()))
              .orElseGet(routes::route)))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException(
          "cannot serve HTTP on " + nodeSettings.httpInterface() + ":" + nodeSettings.httpPort() + ": " + rootMessage(e), e);
    }
    shutdown.addTask(
        CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind",
        () -> binding.terminate(nodeSettings.httpTerminationDeadline()).thenApply(terminated -> Done.getInstance()));

    if (gateway.isPresent()) {
      try {
        gateway.get().subscribed().toCompletableFuture()
            .get(nodeSettings.gatewayStartTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        LOG.warn("gateway not subscribed after {}; still trying, readiness stays down", nodeSettings.gatewayStartTimeout());
      } catch (Exception e) {
        LOG.warn("gateway subscription failed: {}", rootMessage(e));
      }
    }
    // Pekko Management's /ready (Kubernetes' readiness probe) answers true from here on, while the
    // gateway stays subscribed; cluster membership is checked beside it.
    NodeReadiness.ID.get(system.classicSystem())
        .started(() -> gateway.map(DeviceGateway::isReady).orElse(true));
    String host = binding.localAddress().getHostString();
    String httpUrl = (nodeSettings.https().isPresent() ? "https://" : "http://") + host + ":" + binding.localAddress().getPort();
    LOG.info("node {} serving HTTP at {}", nodeSettings.name(), httpUrl);
    return new RunningNode(nodeSettings, system, gateway, registry, httpUrl, gatewaySettings.broker().url(),
        storage.flatMap(FleetStorage::embeddedAddress));
  }

  /**
   * Once per cluster (recorded in {@code schema_version}): the devices FleetPulse knew before its
   * registry was the cluster's ({@code devices}) become registrations, as they were. In the
   * background; the gateway takes an auto-provisioned device meanwhile as it always did.
   */
  private static void importDevicesSeenBefore(CassandraRegistryStore stored, DeviceRegistrations registrations,
      ControlPlaneSettings settings) {
    stored.imported()
        .thenCompose(done -> done ? CompletableFuture.completedFuture(null) : stored.devicesSeenBefore()
            .thenCompose(devices -> registrations.importRegistrations(devices, settings.bulkParallelism()))
            .thenCompose(imported -> {
              LOG.info("device registry: {} devices imported from the devices table", imported);
              return stored.markImported(imported);
            }))
        .whenComplete((done, failure) -> {
          if (failure != null) {
            LOG.warn("device registry: the import of earlier devices failed, it runs again at the next start: {}",
                rootMessage(failure));
          }
        });
  }

  /**
   * The cluster's decisions on the models this node loaded, waiting up to {@code timeout}; none if
   * they do not come in time (the pool serves its highest admitted versions until {@link
   * ModelDecisions#follow}, which asks again, brings them).
   */
  private static List<ModelDecision> decided(ModelDecisions decisions, List<String> names, Duration timeout) {
    try {
      return decisions.current(names).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    } catch (Exception e) {
      LOG.warn("the cluster's decisions on models {} did not arrive within {}; serving the highest admitted versions "
          + "until they do: {}", names, timeout, rootMessage(e));
      return List.of();
    }
  }

  /**
   * Waits until the receptionist lists this node's pool, so the node does not report ready while
   * device actors' requests would find no pool to go to (each answered pool.unavailable after the
   * ask timeout, and the windows queued behind it pushed out of their ring meanwhile).
   */
  private static void awaitListed(ActorSystem<?> system, ActorRef<InferencePool.Command> pool, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                replyTo -> Receptionist.find(InferencePool.SERVICE_KEY, replyTo), Duration.ofSeconds(1), system.scheduler())
            .toCompletableFuture().get(2, TimeUnit.SECONDS);
        if (listing.getServiceInstances(InferencePool.SERVICE_KEY).contains(pool)) {
          return;
        }
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.debug("receptionist did not answer yet: {}", rootMessage(e));
      }
    }
    LOG.warn("the inference pool is not listed with the receptionist after {}; devices' first windows may find no pool",
        timeout);
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.toString();
  }
}
