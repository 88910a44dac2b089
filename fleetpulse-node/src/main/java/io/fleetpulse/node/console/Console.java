package io.fleetpulse.node.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.fleetpulse.api.audit.AuditLog;
import io.fleetpulse.control.ControlPlaneSettings;
import io.fleetpulse.control.access.AccessReply;
import io.fleetpulse.control.access.AccessView;
import io.fleetpulse.control.access.ConsoleAccess;
import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.control.access.Sites;
import io.fleetpulse.gateway.registry.DeviceRegistration;
import io.fleetpulse.gateway.registry.RegistryView;
import io.fleetpulse.persistence.FleetStorage;
import io.fleetpulse.security.AccessRoutes;
import io.fleetpulse.security.AccessRules;
import io.fleetpulse.security.Authenticator;
import io.fleetpulse.security.ConsoleSecurity;
import io.fleetpulse.security.JwtValidator;
import io.fleetpulse.security.MemoryAuditLog;
import io.fleetpulse.security.SecuritySettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * The console's security on this node: the accounts' control plane ({@link ConsoleAccess}), the
 * gate every route sits behind ({@link ConsoleSecurity}), the console's own routes, and the audit
 * log (the cluster's table with storage, else this node's memory). At a cluster's first start it
 * creates the {@code admin} account, printing its generated password once; where configured it
 * writes an admin API token for the tools started beside the node (again when the file's token
 * is not one the cluster accepts).
 */
public record Console(ConsoleAccess access, ConsoleSecurity security, AccessRoutes routes) {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Console.class);
  /** The first account's name. */
  public static final String ADMIN = "admin";
  /** The name of the token written for local tools. */
  public static final String LOCAL_TOOLS = "local-tools";

  /**
   * Starts the console's security and waits (up to {@code loadTimeout}) for this node's view of the
   * accounts, then makes the first admin and the local token where needed.
   *
   * @param https whether the node serves HTTPS (session cookies are then Secure)
   */
  public static Console start(ActorSystem<?> system, Config config, Clock clock, ControlPlaneSettings control,
      Optional<FleetStorage> storage, RegistryView registry, ObjectMapper mapper, boolean https, Duration loadTimeout) {
    SecuritySettings settings = SecuritySettings.fromConfig(config);
    ConsoleAccess access = ConsoleAccess.start(system, new AccessView(), clock, control,
        settings.accounts().passwordHashIterations());
    Optional<JwtValidator> jwt = settings.oidc().map(oidc -> new JwtValidator(oidc,
        system.dispatchers().lookup(DispatcherSelector.blocking()), clock));
    AuditLog audit = storage.<AuditLog>map(s -> retrying(system, s.audit(), settings.audit()))
        .orElseGet(() -> new MemoryAuditLog(settings.audit().memoryCapacity()));
    ConsoleSecurity security = new ConsoleSecurity(AccessRules.node(), new Authenticator(access.view(), jwt, clock),
        deviceId -> registry.find(deviceId).map(DeviceRegistration::site), audit, settings, mapper, clock);
    Console console = new Console(access, security, new AccessRoutes(access, security, mapper, clock, https));
    try {
      access.loaded(loadTimeout).toCompletableFuture().get(loadTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      console.bootstrap(settings, loadTimeout);
    } catch (Exception e) {
      throw new IllegalStateException("cannot load the console's accounts: " + e, e);
    }
    return console;
  }

  /** The stored audit log, with what Cassandra did not take written again every retry interval. */
  private static AuditLog retrying(ActorSystem<?> system, AuditLog stored, SecuritySettings.Audit settings) {
    io.fleetpulse.security.RetryingAuditLog audit = new io.fleetpulse.security.RetryingAuditLog(stored,
        settings.pendingCapacity());
    system.scheduler().scheduleWithFixedDelay(settings.retryInterval(), settings.retryInterval(),
        () -> audit.retry(), system.executionContext());
    return audit;
  }

  private void bootstrap(SecuritySettings settings, Duration timeout) throws Exception {
    if (access.view().directory().accounts().isEmpty()) {
      ConsoleAccess.Issued issued = access.createAccount(ADMIN, settings.accounts().initialAdminPassword().orElse(null),
          Set.of(ConsoleRole.ADMIN), Set.of(Sites.ALL), "first-start").toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (issued.reply() instanceof AccessReply.Done) {
        if (issued.secret() != null) {
          // Printed, not logged: the one place the generated password appears.
          System.out.printf("%n  First sign-in to the FleetPulse console (shown once; change it after signing in):%n"
              + "    name:     %s%n    password: %s%n%n", ADMIN, issued.secret());
        }
        LOG.info("console: account '{}' created at the cluster's first start", ADMIN);
      } else {
        LOG.info("console: another node created the first account: {}", issued.reply());
      }
    }
    Optional<String> bootstrap = settings.tokens().bootstrapAdminToken();
    // Installed once: a revoked bootstrap token stays revoked across restarts.
    if (bootstrap.isPresent() && access.view().tokenByHash(AccessView.hash(bootstrap.get())).isEmpty()) {
      ConsoleAccess.Issued issued = access.installToken(bootstrap.get(), "bootstrap", Set.of(ConsoleRole.ADMIN),
          Set.of(Sites.ALL), settings.tokens().maxLifetime(), "first-start").toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (issued.reply() instanceof AccessReply.Done) {
        LOG.info("console: the configured bootstrap admin token installed (id {})", issued.id());
      }
    }
    Optional<String> tokenFile = settings.tokens().localAdminTokenFile();
    if (tokenFile.isPresent() && !holdsValidToken(Path.of(tokenFile.get()))) {
      ConsoleAccess.Issued issued = access.createToken(LOCAL_TOOLS, Set.of(ConsoleRole.ADMIN), Set.of(Sites.ALL),
          settings.tokens().maxLifetime(), "first-start").toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (issued.reply() instanceof AccessReply.Done) {
        write(Path.of(tokenFile.get()), issued.secret());
        LOG.info("console: an admin API token for local tools written to {}", tokenFile.get());
      }
    }
  }

  /**
   * Whether the file holds a token this cluster knows and still accepts: a file left from a
   * cluster since wiped (var/cassandra deleted), or a token revoked or expired, is replaced.
   */
  private boolean holdsValidToken(Path file) throws IOException {
    if (!Files.exists(file)) {
      return false;
    }
    String token = Files.readString(file).strip();
    return access.view().tokenByHash(AccessView.hash(token))
        .filter(known -> known.validAt(System.currentTimeMillis())).isPresent();
  }

  private static void write(Path file, String secret) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.deleteIfExists(file);
    Files.createFile(file);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      LOG.warn("cannot restrict {} to its owner on this file system", file);
    }
    Files.writeString(file, secret);
  }
}
