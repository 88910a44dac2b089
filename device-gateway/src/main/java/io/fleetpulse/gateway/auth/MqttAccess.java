package io.fleetpulse.gateway.auth;

import io.fleetpulse.api.profile.ClientRole;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.registry.Credential;
import io.fleetpulse.api.registry.RegistryEntry;
import io.fleetpulse.gateway.decode.TelemetryTopic;
import io.fleetpulse.gateway.registry.RegistryView;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Who may connect to the broker and what each may publish and subscribe to, decided from this
 * node's registry view (memory only: a CONNECT or PUBLISH never waits on storage). The rules:
 * <ul>
 *   <li>a username is required; the client id is the username, or the username followed by
 *       {@code -anything}; only the gateway's service identity may use ids that start with its name;
 *   <li>the gateway's service identity (its secret from configuration) may do anything;
 *   <li>a registered client connects with one of its credentials' secrets, unless decommissioned;
 *   <li>a {@link ClientRole#DEVICE device} publishes only under {@code fleet/{its site}/{its id}/}
 *       and subscribes only to its own {@code commands} and {@code dead-letter} topics;
 *   <li>an {@link ClientRole#EDGE_GATEWAY edge gateway} does the same for any device of its site
 *       (registered there, or not registered at all: the gateway's auto-provisioning decides);
 *   <li>an {@link ClientRole#ALERT_CONSUMER alert consumer} subscribes only to {@code fleet/{its site}/alerts};
 *   <li>the node's own topics ({@code commands}, {@code dead-letter}, {@code alerts}) take no PUBLISH
 *       but the gateway's, and shared subscriptions are the gateway's alone.
 * </ul>
 * Every refusal is counted ({@link AccessCounters}). Thread-safe.
 */
public final class MqttAccess {

  /** What a CONNECT gets: the principal, or why not. */
  public sealed interface Authentication permits Authenticated, Refused {}

  public record Authenticated(Principal principal) implements Authentication {}

  public record Refused(AccessRefusal reason, String detail) implements Authentication {}

  private final RegistryView registry;
  private final DeviceProfiles profiles;
  private final String serviceName;
  private final String serviceSecret;
  private final LongSupplier clock;
  private final AccessCounters counters = new AccessCounters();
  private volatile boolean ready;

  /**
   * @param serviceName the gateway's username on the broker
   * @param serviceSecret its secret (compared in constant time); never empty
   */
  public MqttAccess(RegistryView registry, DeviceProfiles profiles, String serviceName, String serviceSecret,
      LongSupplier clock) {
    if (serviceName.isEmpty() || serviceSecret.isEmpty()) {
      throw new IllegalArgumentException("the broker's access control needs the gateway's username and secret");
    }
    this.registry = registry;
    this.profiles = profiles;
    this.serviceName = serviceName;
    this.serviceSecret = serviceSecret;
    this.clock = clock;
  }

  /** From now on the registry view is complete: an unknown name is unknown, not merely not loaded yet. */
  public void ready() {
    ready = true;
  }

  public AccessCounters counters() {
    return counters;
  }

  public RegistryView registry() {
    return registry;
  }

  /** Checks a CONNECT; verifying a secret costs one PBKDF2 derivation per credential tried. */
  public Authentication authenticate(String clientId, String username, Optional<String> secret) {
    if (username == null || username.isEmpty()) {
      return refuse(AccessRefusal.ANONYMOUS, null, "a username and secret are required");
    }
    boolean service = username.equals(serviceName);
    if (clientId == null || !(clientId.equals(username) || clientId.startsWith(username + "-"))
        || (!service && clientId.startsWith(serviceName))) {
      return refuse(AccessRefusal.CLIENT_ID, null,
          "the client id must be the username, or the username followed by '-' and a suffix");
    }
    if (service) {
      return secret.isPresent() && Secrets.same(secret.get(), serviceSecret)
          ? new Authenticated(Principal.service(serviceName))
          : refuse(AccessRefusal.BAD_SECRET, null, "wrong secret for the gateway's identity");
    }
    Optional<RegistryEntry> found = registry.entry(username);
    if (found.isEmpty()) {
      return ready ? refuse(AccessRefusal.UNKNOWN, null, "no client '" + username + "' is registered")
          : refuse(AccessRefusal.NOT_READY, null, "the node is still loading the registry; try again");
    }
    RegistryEntry entry = found.get();
    if (entry.decommissioned()) {
      return refuse(AccessRefusal.DECOMMISSIONED, username, "'" + username + "' was decommissioned");
    }
    Optional<DeviceProfile> profile = profiles.find(entry.profile());
    if (profile.isEmpty()) {
      return refuse(AccessRefusal.UNKNOWN, username, "'" + username + "' has a profile this node does not know");
    }
    long now = clock.getAsLong();
    if (!entry.hasCredentialAt(now)) {
      return refuse(AccessRefusal.NO_CREDENTIAL, username, "'" + username + "' holds no valid credential");
    }
    if (secret.isPresent()) {
      for (Credential credential : entry.credentials()) {
        if (credential.validAt(now) && Secrets.verify(secret.get(), credential.hash())) {
          return new Authenticated(new Principal(username, false, profile.get().role(), credential.hash()));
        }
      }
    }
    return refuse(AccessRefusal.BAD_SECRET, username, "wrong secret for '" + username + "'");
  }

  /**
   * Checks a CONNECT over mutual TLS whose client certificate the listener verified against the
   * fleet's CA: the certificate's subject CN names the client (a username, if given, must be the
   * same), which must be registered and not decommissioned; no secret is needed. The client id
   * rule is the same as for secrets.
   */
  public Authentication authenticateCertificate(String clientId, Optional<String> username, X509Certificate certificate) {
    String name = commonName(certificate);
    if (name == null || (username.isPresent() && !username.get().isEmpty() && !username.get().equals(name))) {
      return refuse(AccessRefusal.BAD_SECRET, null, "the certificate's CN does not name the username");
    }
    if (clientId == null || !(clientId.equals(name) || clientId.startsWith(name + "-")) || clientId.startsWith(serviceName)
        || name.equals(serviceName)) {
      return refuse(AccessRefusal.CLIENT_ID, null,
          "the client id must be the certificate's CN, or the CN followed by '-' and a suffix");
    }
    Optional<RegistryEntry> found = registry.entry(name);
    if (found.isEmpty()) {
      return ready ? refuse(AccessRefusal.UNKNOWN, null, "no client '" + name + "' is registered")
          : refuse(AccessRefusal.NOT_READY, null, "the node is still loading the registry; try again");
    }
    if (found.get().decommissioned()) {
      return refuse(AccessRefusal.DECOMMISSIONED, name, "'" + name + "' was decommissioned");
    }
    Optional<DeviceProfile> profile = profiles.find(found.get().profile());
    if (profile.isEmpty()) {
      return refuse(AccessRefusal.UNKNOWN, name, "'" + name + "' has a profile this node does not know");
    }
    return new Authenticated(new Principal(name, false, profile.get().role(), Principal.CERTIFICATE));
  }

  private static String commonName(X509Certificate certificate) {
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(
          certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return rdn.getValue().toString();
        }
      }
    } catch (javax.naming.InvalidNameException e) {
      return null;
    }
    return null;
  }

  /**
   * Whether the principal still holds: not decommissioned, its credential not revoked or past its
   * grace period. Empty when it does; else why its connection should end.
   */
  public Optional<AccessRefusal> revoked(Principal principal) {
    if (principal.service()) {
      return Optional.empty();
    }
    Optional<RegistryEntry> entry = registry.entry(principal.name());
    if (entry.isEmpty()) {
      return Optional.of(AccessRefusal.UNKNOWN);
    }
    if (entry.get().decommissioned()) {
      return Optional.of(AccessRefusal.DECOMMISSIONED);
    }
    if (Principal.CERTIFICATE.equals(principal.credentialHash())) {
      return Optional.empty(); // a certificate holds while its client is registered (no CRL yet)
    }
    long now = clock.getAsLong();
    for (Credential credential : entry.get().credentials()) {
      if (credential.hash().equals(principal.credentialHash()) && credential.validAt(now)) {
        return Optional.empty();
      }
    }
    return Optional.of(AccessRefusal.NO_CREDENTIAL);
  }

  /**
   * An external broker's question (EMQX's HTTP authorisation): may the client {@code username},
   * which the broker authenticated (through {@link #authenticate}), publish ({@code publish}) or
   * subscribe to {@code topic} now? The same rules as inside the embedded broker; a client
   * revoked or decommissioned since its CONNECT is refused. Counts a refusal.
   */
  public boolean authorize(String username, String topic, boolean publish) {
    if (username == null || topic == null) {
      return false;
    }
    if (username.equals(serviceName)) {
      return true;
    }
    Optional<RegistryEntry> entry = registry.entry(username);
    Optional<DeviceProfile> profile = entry.flatMap(e -> profiles.find(e.profile()));
    if (profile.isEmpty() || entry.get().decommissioned() || !entry.get().hasCredentialAt(clock.getAsLong())) {
      counters.refused(publish ? AccessRefusal.PUBLISH_DENIED : AccessRefusal.SUBSCRIBE_DENIED,
          entry.isPresent() ? username : null);
      return false;
    }
    Principal principal = new Principal(username, false, profile.get().role(), null);
    return publish ? mayPublish(principal, topic) : maySubscribe(principal, topic);
  }

  /** Whether {@code key} is the gateway's secret: what an external broker presents to ask the questions above. */
  public boolean isBrokerKey(String key) {
    return key != null && Secrets.same(key, serviceSecret);
  }

  /** Whether the principal may publish to {@code topic}; counts a refusal. */
  public boolean mayPublish(Principal principal, String topic) {
    if (principal.service()) {
      return true;
    }
    boolean allowed = switch (principal.role()) {
      case DEVICE, EDGE_GATEWAY -> {
        String[] levels = topic.split("/", -1);
        yield levels.length >= 4 && levels[0].equals("fleet") && !isNodeOwned(levels[3])
            && actsFor(principal, levels[1], levels[2]);
      }
      case ALERT_CONSUMER -> false;
    };
    if (!allowed) {
      counters.refused(AccessRefusal.PUBLISH_DENIED, principal.name());
    }
    return allowed;
  }

  /** Whether the principal may subscribe to {@code filter}; counts a refusal. */
  public boolean maySubscribe(Principal principal, String filter) {
    if (principal.service()) {
      return true;
    }
    String[] levels = filter.split("/", -1);
    boolean allowed = switch (principal.role()) {
      case DEVICE, EDGE_GATEWAY -> levels.length == 4 && levels[0].equals("fleet")
          && (levels[3].equals("commands") || levels[3].equals("dead-letter"))
          && (principal.role() == ClientRole.EDGE_GATEWAY && levels[2].equals("+")
              ? levels[1].equals(site(principal))
              : actsFor(principal, levels[1], levels[2]));
      case ALERT_CONSUMER -> levels.length == 3 && levels[0].equals("fleet") && levels[2].equals("alerts")
          && levels[1].equals(site(principal));
    };
    if (!allowed) {
      counters.refused(AccessRefusal.SUBSCRIBE_DENIED, principal.name());
    }
    return allowed;
  }

  /** Counts a refusal of a CONNECT; for a registered client also under its name. */
  private Refused refuse(AccessRefusal reason, String registeredClient, String detail) {
    counters.refused(reason, registeredClient);
    return new Refused(reason, detail);
  }

  /** Whether the principal may speak for {@code deviceId} at {@code site}: itself, or a device of its site (edge gateway). */
  private boolean actsFor(Principal principal, String site, String deviceId) {
    String ownSite = site(principal);
    if (ownSite == null || !ownSite.equals(site) || !TelemetryTopic.isValidId(deviceId)) {
      return false;
    }
    if (principal.role() == ClientRole.DEVICE) {
      return deviceId.equals(principal.name());
    }
    Optional<RegistryEntry> device = registry.entry(deviceId);
    return device.isEmpty() || (device.get().site().equals(site)
        && profiles.find(device.get().profile()).map(p -> p.role() == ClientRole.DEVICE).orElse(false));
  }

  /** The principal's site as the registry now has it (a device moved is at its new site). */
  private String site(Principal principal) {
    return registry.entry(principal.name()).map(RegistryEntry::site).orElse(null);
  }

  private static boolean isNodeOwned(String level) {
    return level.equals("commands") || level.equals("dead-letter");
  }
}
