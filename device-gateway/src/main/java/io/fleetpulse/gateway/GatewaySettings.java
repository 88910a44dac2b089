package io.fleetpulse.gateway;

import com.typesafe.config.Config;
import io.fleetpulse.api.Backoff;
import io.fleetpulse.api.profile.RateLimit;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The gateway's configuration ({@code fleetpulse.gateway}), read once. */
public record GatewaySettings(
    Broker broker, Mqtt mqtt, Ingest ingest, Validation validation, Registration registration, DeadLetter deadLetter,
    RateLimiting rateLimiting) {

  public static final String CONFIG_PATH = "fleetpulse.gateway";

  public GatewaySettings {
    if (broker.embedded() && (broker.username().isEmpty() || !(mqtt.clientIdPrefix().equals(broker.username())
        || mqtt.clientIdPrefix().startsWith(broker.username() + "-")))) {
      throw new IllegalArgumentException("with the embedded broker, fleetpulse.gateway.broker.username must be set and"
          + " fleetpulse.gateway.mqtt.client-id-prefix must start with it (the broker admits a client id only under its username)");
    }
  }

  /**
   * Where the gateway connects and, when embedded, how the embedded broker runs. {@code username}
   * and {@code password} are the gateway's own identity on the broker; with the embedded broker an
   * empty password is generated at first start ({@link #withServiceSecret()}).
   */
  public record Broker(boolean embedded, String url, String username, String password, EmbeddedBroker embeddedBroker) {

    /** The file under the embedded broker's data directory that keeps a generated gateway secret. */
    public static final String SERVICE_SECRET_FILE = "service-secret";

    /**
     * These settings with the gateway's secret filled in: with the embedded broker and no password
     * configured, the one kept in {@code <data-directory>/service-secret}, made (random, readable
     * by the owner only) at first start. Every node that uses this broker needs that secret
     * ({@code FLEETPULSE_BROKER_PASSWORD}).
     */
    public Broker withServiceSecret() {
      if (!embedded || !password.isEmpty()) {
        return this;
      }
      Path file = embeddedBroker.dataDirectory().resolve(SERVICE_SECRET_FILE);
      try {
        if (!java.nio.file.Files.exists(file)) {
          java.nio.file.Files.createDirectories(embeddedBroker.dataDirectory());
          Path fresh = java.nio.file.Files.createTempFile(embeddedBroker.dataDirectory(), SERVICE_SECRET_FILE, ".tmp");
          restrictToOwner(fresh);
          java.nio.file.Files.writeString(fresh, io.fleetpulse.gateway.auth.Secrets.newSecret());
          java.nio.file.Files.move(fresh, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return new Broker(embedded, url, username, java.nio.file.Files.readString(file).strip(), embeddedBroker);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot read or create the gateway's broker secret " + file, e);
      }
    }

    private static void restrictToOwner(Path file) throws java.io.IOException {
      try {
        java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: left as the platform makes it
      }
    }
  }

  /** These settings with {@link Broker#withServiceSecret()} applied. */
  public GatewaySettings withServiceSecret() {
    return new GatewaySettings(broker.withServiceSecret(), mqtt, ingest, validation, registration, deadLetter, rateLimiting);
  }

  public record EmbeddedBroker(
      String bindAddress,
      Path dataDirectory,
      int serverReceiveMaximum,
      long maxQueueSize,
      int maxPacketSize,
      String persistence,
      Duration startTimeout,
      int tlsPort,
      List<String> tlsHostNames) {
    public EmbeddedBroker {
      tlsHostNames = List.copyOf(tlsHostNames);
      if (!persistence.equals("file") && !persistence.equals("in-memory")) {
        throw new IllegalArgumentException(
            "fleetpulse.gateway.broker.embedded-broker.persistence must be 'file' or 'in-memory', not '" + persistence + "'");
      }
    }
  }

  /**
   * How the gateway subscribes: {@code SHARED}, {@code connections} connections in the share group
   * of {@code subscription}; {@code EXCLUSIVE}, one connection with the same filter outside any
   * share group; {@code AUTO}, exclusive with the embedded broker and shared with an external one.
   */
  public enum Sharing { AUTO, SHARED, EXCLUSIVE }

  public record Mqtt(
      String clientIdPrefix,
      int connections,
      String subscription,
      Sharing sharing,
      int receiveMaximum,
      Duration sessionExpiry,
      Duration keepAlive,
      Duration connectTimeout,
      Duration reconnectMinDelay,
      Duration reconnectMaxDelay,
      Duration drainTimeout) {

    static final String SHARE_PREFIX = "$share/";

    /** Whether this gateway subscribes outside the share group, given where its broker runs. */
    public boolean exclusive(boolean embeddedBroker) {
      return sharing == Sharing.EXCLUSIVE || (sharing == Sharing.AUTO && embeddedBroker);
    }

    /** How many connections subscribe. */
    public int subscriberConnections(boolean embeddedBroker) {
      return exclusive(embeddedBroker) ? 1 : connections;
    }

    /** The topic filter the connections subscribe to. */
    public String topicFilter(boolean embeddedBroker) {
      return exclusive(embeddedBroker) ? unshared(subscription) : subscription;
    }

    /**
     * The shared subscription an exclusive subscriber leaves, which its session may hold from a
     * shared run with the same client id (it would get a share of the messages twice); none when
     * it subscribes shared, or when {@code subscription} names no share group.
     */
    public java.util.Optional<String> shareGroupToLeave(boolean embeddedBroker) {
      return exclusive(embeddedBroker) && subscription.startsWith(SHARE_PREFIX)
          ? java.util.Optional.of(subscription) : java.util.Optional.empty();
    }

    /** The client id of connection {@code index} of node {@code nodeName}: stable, so its session outlives a restart. */
    public String clientId(String nodeName, int index) {
      return clientIdPrefix + "-" + nodeName + "-" + index;
    }

    /**
     * The client ids of the connections a shared subscriber has and an exclusive one does not use:
     * their sessions, left from a shared run, would hold a share of every message for nobody until
     * they expire.
     */
    public java.util.List<String> unusedClientIds(String nodeName, boolean embeddedBroker) {
      java.util.List<String> unused = new java.util.ArrayList<>();
      for (int index = subscriberConnections(embeddedBroker); index < connections; index++) {
        unused.add(clientId(nodeName, index));
      }
      return unused;
    }

    /** {@code $share/group/filter} without its share group: the filter itself. */
    static String unshared(String subscription) {
      if (!subscription.startsWith(SHARE_PREFIX)) {
        return subscription;
      }
      int groupEnd = subscription.indexOf('/', SHARE_PREFIX.length());
      return subscription.substring(groupEnd + 1);
    }
  }

  public record Ingest(Duration retryMinBackoff, Duration retryMaxBackoff) {
    /** Back-off before retry number {@code attempt} (0-based): {@link Backoff} within this record's bounds. */
    public Duration backoff(int attempt) {
      return new Backoff(retryMinBackoff, retryMaxBackoff).delay(attempt + 1L);
    }
  }

  public record Validation(int maxPayloadBytes, int maxReadingsPerMessage, Duration maxFutureSkew, Duration maxPastSkew) {}

  public record AutoProvisionRule(Pattern deviceIdPattern, String profile) {
    public boolean matches(String deviceId) {
      return deviceIdPattern.matcher(deviceId).matches();
    }
  }

  public record Registration(boolean required, List<AutoProvisionRule> autoProvision) {
    public Registration {
      autoProvision = List.copyOf(autoProvision);
    }
  }

  public record DeadLetter(int qos, String fallbackTopic, int maxPayloadEchoBytes, int maxAttempts) {}

  /**
   * @param enabled whether devices are held to their message quotas at all
   * @param defaultLimit the quota of a device whose profile declares none
   * @param sweepInterval how often the buckets of devices quiet long enough to have refilled are dropped
   */
  public record RateLimiting(boolean enabled, RateLimit defaultLimit, Duration sweepInterval) {}

  /** Reads {@code fleetpulse.gateway} from the given root config. */
  public static GatewaySettings fromConfig(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Config b = c.getConfig("broker");
    Config e = b.getConfig("embedded-broker");
    Config m = c.getConfig("mqtt");
    Config i = c.getConfig("ingest");
    Config v = c.getConfig("validation");
    Config r = c.getConfig("registration");
    Config d = c.getConfig("dead-letter");
    Config q = c.getConfig("rate-limit");
    List<AutoProvisionRule> rules = new ArrayList<>();
    for (Config rule : r.getConfigList("auto-provision")) {
      rules.add(new AutoProvisionRule(Pattern.compile(rule.getString("device-id-pattern")), rule.getString("profile")));
    }
    GatewaySettings settings =
        new GatewaySettings(
            new Broker(
                b.getBoolean("embedded"),
                b.getString("url"),
                b.getString("username"),
                b.getString("password"),
                new EmbeddedBroker(
                    e.getString("bind-address"),
                    Path.of(e.getString("data-directory")),
                    e.getInt("server-receive-maximum"),
                    e.getLong("max-queue-size"),
                    e.getInt("max-packet-size"),
                    e.getString("persistence"),
                    e.getDuration("start-timeout"),
                    e.getInt("tls.port"),
                    e.getStringList("tls.host-names"))),
            new Mqtt(
                m.getString("client-id-prefix"),
                m.getInt("connections"),
                m.getString("subscription"),
                sharing(m.getString("sharing")),
                m.getInt("receive-maximum"),
                m.getDuration("session-expiry"),
                m.getDuration("keep-alive"),
                m.getDuration("connect-timeout"),
                m.getDuration("reconnect-min-delay"),
                m.getDuration("reconnect-max-delay"),
                m.getDuration("drain-timeout")),
            new Ingest(i.getDuration("retry-min-backoff"), i.getDuration("retry-max-backoff")),
            new Validation(
                v.getInt("max-payload-bytes"),
                v.getInt("max-readings-per-message"),
                v.getDuration("max-future-skew"),
                v.getDuration("max-past-skew")),
            new Registration(r.getBoolean("required"), rules),
            new DeadLetter(d.getInt("qos"), d.getString("fallback-topic"), d.getInt("max-payload-echo-bytes"), d.getInt("max-attempts")),
            new RateLimiting(q.getBoolean("enabled"),
                new RateLimit(q.getDouble("default.messages-per-second"), q.getInt("default.burst")),
                q.getDuration("sweep-interval")));
    settings.check();
    return settings;
  }

  private static Sharing sharing(String value) {
    return switch (value) {
      case "auto" -> Sharing.AUTO;
      case "shared" -> Sharing.SHARED;
      case "exclusive" -> Sharing.EXCLUSIVE;
      default -> throw new IllegalArgumentException(
          "fleetpulse.gateway.mqtt.sharing must be 'auto', 'shared' or 'exclusive', not '" + value + "'");
    };
  }

  private void check() {
    if (mqtt.connections() < 1) {
      throw new IllegalArgumentException("fleetpulse.gateway.mqtt.connections must be at least 1");
    }
    if (mqtt.subscription().startsWith(Mqtt.SHARE_PREFIX)
        && (mqtt.subscription().indexOf('/', Mqtt.SHARE_PREFIX.length()) < 0 || mqtt.subscription().startsWith(Mqtt.SHARE_PREFIX + "/"))) {
      throw new IllegalArgumentException("fleetpulse.gateway.mqtt.subscription '" + mqtt.subscription()
          + "' names no share group and filter ($share/<group>/<filter>)");
    }
    if (mqtt.receiveMaximum() < 1 || mqtt.receiveMaximum() > 65535) {
      throw new IllegalArgumentException("fleetpulse.gateway.mqtt.receive-maximum must be within 1..65535");
    }
    if (deadLetter.qos() < 0 || deadLetter.qos() > 2) {
      throw new IllegalArgumentException("fleetpulse.gateway.dead-letter.qos must be 0, 1 or 2");
    }
    if (rateLimiting.sweepInterval().isNegative() || rateLimiting.sweepInterval().isZero()) {
      throw new IllegalArgumentException("fleetpulse.gateway.rate-limit.sweep-interval must be positive");
    }
  }
}
