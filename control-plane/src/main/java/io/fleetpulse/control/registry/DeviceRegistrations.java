package io.fleetpulse.control.registry;

import io.fleetpulse.api.Stages;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.api.registry.RegistryStore;
import io.fleetpulse.control.ControlPlaneSettings;
import io.fleetpulse.control.HistoryItem;
import io.fleetpulse.control.Replication;
import io.fleetpulse.gateway.auth.Secrets;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.registry.RegistryView;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;

/**
 * The device registry's control plane on one node: the device entities (sharded, on every node),
 * this node's {@link RegistryReplication} feeding its {@link RegistryView}, and the commands the
 * HTTP API sends. Devices the gateway provisions from their first message are recorded through
 * the same entities, so an auto-provisioned device is as much the cluster's as a registered one.
 */
public final class DeviceRegistrations {

  /** The most metadata entries one device has. */
  public static final int MAX_METADATA = 32;

  /** Who auto-provisioned devices are registered by. */
  public static final String AUTO_PROVISIONING = "auto-provisioning";
  /** Who the devices the one-time import registers are by. */
  public static final String IMPORT = "import";

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final DeviceProfiles profiles;
  private final RegistryView view;
  private final Optional<CurrentEventsByPersistenceIdQuery> journal;
  private final ControlPlaneSettings settings;
  private final java.util.concurrent.Executor hashing;

  private DeviceRegistrations(ActorSystem<?> system, DeviceProfiles profiles, RegistryView view,
      ControlPlaneSettings settings, Optional<CurrentEventsByPersistenceIdQuery> journal) {
    this.settings = settings;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.profiles = profiles;
    this.view = view;
    this.journal = journal;
    this.hashing = system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
  }

  /**
   * Starts the registry on this node: the entities' shard region, the replication into {@code
   * view}, and the recording of the view's auto-provisioned devices.
   *
   * @param readJournal the Pekko Persistence query plugin the history is read from; empty: no history
   */
  public static DeviceRegistrations start(ActorSystem<?> system, DeviceProfiles profiles, RegistryView view,
      RegistryStore store, Clock clock, ControlPlaneSettings settings, Optional<String> readJournal) {
    ActorRef<Replication.Command<RegistryEntry>> replication = system.systemActorOf(
        RegistryReplication.create(view, store, settings.writeTimeout()), "registry-replication", Props.empty());
    ClusterSharding.get(system).init(Entity.of(DeviceEntity.TYPE_KEY, context -> DeviceEntity.create(
        context.getEntityId(), clock, entry -> replication.tell(new Replication.Publish<>(entry)))));
    Optional<CurrentEventsByPersistenceIdQuery> journal = readJournal.map(id ->
        PersistenceQuery.get(system).getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, id));
    DeviceRegistrations registrations =
        new DeviceRegistrations(system, profiles, view, settings, journal);
    view.onAutoProvision(registration -> registrations.entity(registration.deviceId()).tell(new DeviceEntity.Register(
        registration.site(), registration.profile(), Map.of(), true, AUTO_PROVISIONING, system.ignoreRef())));
    return registrations;
  }

  /** A bulk upload's provisioning through this node's entities, with the configured parallelism and timeout. */
  public BulkProvisioning bulk() {
    return new BulkProvisioning(this, settings.bulkParallelism(), settings.bulkAskTimeout());
  }

  /** Loads every stored entry into the view: what a node does before it serves, when the cluster may have started cold. */
  public static CompletionStage<Integer> loadView(RegistryView view, RegistryStore store) {
    return store.all().thenApply(entries -> {
      entries.forEach(view::apply);
      return entries.size();
    });
  }

  /**
   * Registers devices FleetPulse knew before its registry was the cluster's (the one-time import),
   * {@code parallelism} at a time, each as it was (auto-provisioned or not); an entity that
   * already holds its device leaves it as it is, so a second import changes nothing. Completes
   * with how many were taken.
   */
  public CompletionStage<Integer> importRegistrations(List<RegistryEntry> devices, int parallelism) {
    return org.apache.pekko.stream.javadsl.Source.from(devices)
        .mapAsync(parallelism, device -> Stages.plain(entity(device.deviceId()).<RegistryReply>ask(
            replyTo -> new DeviceEntity.Register(device.site(), device.profile(), Map.of(), device.autoProvisioned(), IMPORT,
                replyTo), settings.bulkAskTimeout())))
        .runFold(0, (taken, reply) -> reply instanceof RegistryReply.Accepted ? taken + 1 : taken, system);
  }

  /**
   * Registers, moves or re-profiles a device, through its entity wherever it runs; a device that
   * holds no valid credential afterwards is issued one, whose secret the reply carries once.
   */
  public CompletionStage<RegistryReply> register(String deviceId, String site, String profile,
      Map<String, String> metadata, String by) {
    return register(deviceId, site, profile, metadata, by, true);
  }

  /** As {@link #register(String, String, String, Map, String)}; {@code issueCredential} false issues none. */
  public CompletionStage<RegistryReply> register(String deviceId, String site, String profile,
      Map<String, String> metadata, String by, boolean issueCredential) {
    return register(deviceId, site, profile, metadata, by, issueCredential, settings.askTimeout());
  }

  /**
   * As {@link #register(String, String, String, Map, String)}, waiting up to {@code timeout} for
   * the entity; {@code issueCredential} false registers a device that connects through an edge
   * gateway, with no secret of its own.
   */
  public CompletionStage<RegistryReply> register(String deviceId, String site, String profile,
      Map<String, String> metadata, String by, boolean issueCredential, Duration timeout) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      return invalidId(deviceId);
    }
    if (site == null || !TelemetryTopic.isValidId(site)) {
      return refused(ErrorCode.REQUEST_INVALID, "site '" + site + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    }
    if (profile == null || profiles.find(profile).isEmpty()) {
      return refused(ErrorCode.PROFILE_UNKNOWN, "no device profile '" + profile + "'");
    }
    if (metadata != null && (metadata.size() > MAX_METADATA
        || metadata.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null
            || e.getKey().length() > 64 || e.getValue().length() > 256))) {
      return refused(ErrorCode.REQUEST_INVALID, "metadata holds at most " + MAX_METADATA
          + " entries of text: keys up to 64 characters, values up to 256, none null");
    }
    if (!issueCredential) {
      return Stages.plain(entity(deviceId).ask(
          replyTo -> new DeviceEntity.Register(site, profile, metadata, false, by, null, replyTo), timeout));
    }
    return newSecret().thenCompose(secret -> Stages.plain(entity(deviceId).<RegistryReply>ask(
            replyTo -> new DeviceEntity.Register(site, profile, metadata, false, by, secret.hash(), replyTo), timeout))
        .thenApply(reply -> secret.carriedBy(reply)));
  }

  /**
   * Issues the device a new secret, returned once in the reply; its current secrets stay valid for
   * {@code grace} (null: the configured rotation grace), so a device can be given the new one first.
   */
  public CompletionStage<RegistryReply> issueCredential(String deviceId, Duration grace, String by) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      return invalidId(deviceId);
    }
    long graceMillis = (grace == null ? settings.rotationGrace() : grace).toMillis();
    return newSecret().thenCompose(secret -> Stages.plain(entity(deviceId).<RegistryReply>ask(
            replyTo -> new DeviceEntity.IssueCredential(secret.hash(), graceMillis, by, replyTo), settings.askTimeout()))
        .thenApply(reply -> secret.carriedBy(reply)));
  }

  /** Revokes every secret of the device; the brokers end its live connections. */
  public CompletionStage<RegistryReply> revokeCredentials(String deviceId, String by) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      return invalidId(deviceId);
    }
    return Stages.plain(entity(deviceId).ask(replyTo -> new DeviceEntity.RevokeCredentials(by, replyTo),
        settings.askTimeout()));
  }

  /** A secret made on this node and its hash; the secret itself never leaves the node but in the asker's reply. */
  private record NewSecret(String secret, String hash) {

    /** The reply with the secret added when the entity took this secret's hash. */
    RegistryReply carriedBy(RegistryReply reply) {
      if (reply instanceof RegistryReply.Accepted accepted
          && accepted.entry().credentials().stream().anyMatch(credential -> credential.hash().equals(hash))) {
        return new RegistryReply.Accepted(accepted.entry(), secret);
      }
      return reply;
    }
  }

  /** A new secret and its PBKDF2 hash, computed on the blocking dispatcher (milliseconds of CPU). */
  private CompletionStage<NewSecret> newSecret() {
    return CompletableFuture.supplyAsync(() -> {
      String secret = Secrets.newSecret();
      return new NewSecret(secret, Secrets.hash(secret, settings.hashIterations()));
    }, hashing);
  }

  public CompletionStage<RegistryReply> decommission(String deviceId, String by) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      return invalidId(deviceId);
    }
    return Stages.plain(entity(deviceId).ask(replyTo -> new DeviceEntity.Decommission(by, replyTo), settings.askTimeout()));
  }

  /** This node's view of the device, decommissioned ones included. */
  public Optional<RegistryEntry> viewed(String deviceId) {
    return view.entry(deviceId);
  }

  /** Every event of the device in order, from the journal; empty when this node reads no journal. */
  public Optional<CompletionStage<List<HistoryItem>>> history(String deviceId) {
    if (!TelemetryTopic.isValidId(deviceId)) {
      return journal.map(query -> CompletableFuture.completedFuture(List.of()));
    }
    return journal.map(query -> HistoryItem.read(query, DeviceEntity.persistenceId(deviceId),
        DeviceRegistrations::item, system));
  }

  private static HistoryItem item(EventEnvelope envelope) {
    DeviceEntity.Event event = (DeviceEntity.Event) envelope.event();
    Map<String, Object> details = new LinkedHashMap<>();
    String name;
    if (event instanceof DeviceEntity.Registered registered) {
      name = "registered";
      details.put("site", registered.site());
      details.put("profile", registered.profile());
      details.put("autoProvisioned", registered.autoProvisioned());
      details.put("metadata", registered.metadata());
    } else if (event instanceof DeviceEntity.MovedToSite moved) {
      name = "moved-to-site";
      details.put("site", moved.site());
    } else if (event instanceof DeviceEntity.ProfileChanged changed) {
      name = "profile-changed";
      details.put("profile", changed.profile());
    } else if (event instanceof DeviceEntity.MetadataChanged changed) {
      name = "metadata-changed";
      details.put("metadata", changed.metadata());
    } else if (event instanceof DeviceEntity.Decommissioned) {
      name = "decommissioned";
    } else if (event instanceof DeviceEntity.CredentialIssued issued) {
      name = "credential-issued";
      details.put("previousValidUntil", issued.previousValidUntilMillis() == issued.atMillis() ? null
          : java.time.Instant.ofEpochMilli(issued.previousValidUntilMillis()).toString());
    } else if (event instanceof DeviceEntity.CredentialsRevoked) {
      name = "credentials-revoked";
    } else {
      throw new IllegalStateException("no history name for " + event.getClass().getName());
    }
    return new HistoryItem(envelope.sequenceNr(), event.atMillis(), event.by(), name, details);
  }

  private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<DeviceEntity.Command> entity(String deviceId) {
    return sharding.entityRefFor(DeviceEntity.TYPE_KEY, deviceId);
  }

  private static CompletionStage<RegistryReply> invalidId(String deviceId) {
    return refused(ErrorCode.REQUEST_INVALID, "device id '" + deviceId + "' must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  }

  private static CompletionStage<RegistryReply> refused(ErrorCode code, String message) {
    return CompletableFuture.completedFuture(new RegistryReply.Refused(code, message));
  }
}
