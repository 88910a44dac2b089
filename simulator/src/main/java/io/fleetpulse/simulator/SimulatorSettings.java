package io.fleetpulse.simulator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything a simulator run needs, read once from {@code fleetpulse.simulator} (see this module's
 * {@code reference.conf} for the meaning of every key). Tests in other modules start from
 * {@link #defaults()} and change what they need with the {@code withX} methods; values are
 * checked when a run starts, so intermediate combinations may be inconsistent.
 */
public record SimulatorSettings(
    URI brokerUrl,
    Optional<URI> apiUrl,
    int devices,
    int connections,
    double rate,
    int maxInFlightPerConnection,
    long messages,
    Duration duration,
    long seed,
    int sites,
    double rotatingMachineShare,
    double compactShare,
    double malformedShare,
    double duplicateShare,
    double lateShare,
    double faultyShare,
    double timeAcceleration,
    Duration progressInterval,
    Duration drain,
    Tuning tuning) {

  public static final String CONFIG_PATH = "fleetpulse.simulator";

  /** Rarely changed knobs, under {@code fleetpulse.simulator.tuning}. */
  public record Tuning(
      int devicesPerConnection,
      Duration tickInterval,
      Duration rateBurst,
      Duration connectTimeout,
      int connectParallelism,
      Duration ackTimeout,
      Duration settleTimeout,
      Duration httpTimeout,
      Duration lateAge,
      int oversizePayloadBytes,
      Duration skewedTimestampAge,
      int unlimitedPlanRounds,
      int nettyThreads,
      String clientIdPrefix,
      Duration keepAlive,
      Duration faultPeriod,
      Duration faultDuration,
      boolean registerDevices,
      String caCertificate,
      String apiToken) {

    static Tuning fromConfig(Config config) {
      return new Tuning(
          config.getInt("devices-per-connection"),
          config.getDuration("tick-interval"),
          config.getDuration("rate-burst"),
          config.getDuration("connect-timeout"),
          config.getInt("connect-parallelism"),
          config.getDuration("ack-timeout"),
          config.getDuration("settle-timeout"),
          config.getDuration("http-timeout"),
          config.getDuration("late-age"),
          config.getInt("oversize-payload-bytes"),
          config.getDuration("skewed-timestamp-age"),
          config.getInt("unlimited-plan-rounds"),
          config.getInt("netty-threads"),
          config.getString("client-id-prefix"),
          config.getDuration("keep-alive"),
          config.getDuration("fault-period"),
          config.getDuration("fault-duration"),
          config.getBoolean("register-devices"),
          config.getString("ca-certificate"),
          config.getString("api-token"));
    }
  }

  /** The defaults of {@code reference.conf}, ignoring application.conf and system properties. */
  public static SimulatorSettings defaults() {
    return fromConfig(ConfigFactory.defaultReference());
  }

  /** Reads {@code fleetpulse.simulator} of a root config. */
  public static SimulatorSettings fromConfig(Config root) {
    Config config = root.getConfig(CONFIG_PATH);
    String apiUrl = config.getString("api-url").trim();
    return new SimulatorSettings(
        URI.create(config.getString("broker-url")),
        apiUrl.isEmpty() ? Optional.empty() : Optional.of(URI.create(apiUrl)),
        config.getInt("devices"),
        config.getInt("connections"),
        config.getDouble("rate"),
        config.getInt("max-in-flight-per-connection"),
        config.getLong("messages"),
        config.getDuration("duration"),
        config.getLong("seed"),
        config.getInt("sites"),
        config.getDouble("rotating-machine-share"),
        config.getDouble("compact-share"),
        config.getDouble("malformed-share"),
        config.getDouble("duplicate-share"),
        config.getDouble("late-share"),
        config.getDouble("faulty-share"),
        config.getDouble("time-acceleration"),
        config.getDuration("progress-interval"),
        config.getDuration("drain"),
        Tuning.fromConfig(config.getConfig("tuning")));
  }

  /** Connections actually opened: {@link #connections()}, or derived from devices when 0. */
  public int effectiveConnections() {
    if (connections > 0) {
      return connections;
    }
    return (int) Math.max(1, (devices + (long) tuning.devicesPerConnection() - 1) / tuning.devicesPerConnection());
  }

  /** Throws {@link IllegalArgumentException} naming the first inconsistent value. */
  public SimulatorSettings validated() {
    String scheme = brokerUrl.getScheme();
    require("tcp".equals(scheme) || "mqtt".equals(scheme) || "ssl".equals(scheme) || "mqtts".equals(scheme),
        "broker-url must be tcp://host:port or ssl://host:port, was " + brokerUrl);
    require(brokerUrl.getHost() != null, "broker-url has no host: " + brokerUrl);
    require(devices >= 1, "devices must be at least 1");
    require(connections >= 0 && effectiveConnections() <= devices, "connections must lie in 0.." + devices);
    require(tuning.devicesPerConnection() >= 1, "tuning.devices-per-connection must be at least 1");
    require(rate >= 0 && Double.isFinite(rate), "rate must be 0 (unthrottled) or positive");
    require(maxInFlightPerConnection >= 1, "max-in-flight-per-connection must be at least 1");
    require(messages >= 0, "messages must be 0 (unlimited) or positive");
    require(!duration.isNegative(), "duration must not be negative");
    require(sites >= 1, "sites must be at least 1");
    for (double share : new double[] {rotatingMachineShare, compactShare, malformedShare, duplicateShare,
        lateShare, faultyShare}) {
      require(share >= 0 && share <= 1, "shares must lie in [0, 1]");
    }
    require(timeAcceleration > 0 && Double.isFinite(timeAcceleration), "time-acceleration must be positive");
    require(!progressInterval.isNegative() && !drain.isNegative(), "progress-interval and drain must not be negative");
    require(tuning.tickInterval().toMillis() >= 1, "tuning.tick-interval must be at least 1ms");
    require(!tuning.rateBurst().isNegative(), "tuning.rate-burst must not be negative");
    require(tuning.connectParallelism() >= 1, "tuning.connect-parallelism must be at least 1");
    return this;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  public SimulatorSettings withBrokerUrl(URI value) {
    return copy().brokerUrl(value).build();
  }

  public SimulatorSettings withBrokerUrl(String value) {
    return withBrokerUrl(URI.create(value));
  }

  public SimulatorSettings withApiUrl(Optional<URI> value) {
    return copy().apiUrl(value).build();
  }

  public SimulatorSettings withApiUrl(String value) {
    return withApiUrl(Optional.of(URI.create(value)));
  }

  public SimulatorSettings withDevices(int value) {
    return copy().devices(value).build();
  }

  public SimulatorSettings withConnections(int value) {
    return copy().connections(value).build();
  }

  public SimulatorSettings withRate(double value) {
    return copy().rate(value).build();
  }

  public SimulatorSettings withMaxInFlightPerConnection(int value) {
    return copy().maxInFlightPerConnection(value).build();
  }

  public SimulatorSettings withMessages(long value) {
    return copy().messages(value).build();
  }

  public SimulatorSettings withDuration(Duration value) {
    return copy().duration(value).build();
  }

  public SimulatorSettings withSeed(long value) {
    return copy().seed(value).build();
  }

  public SimulatorSettings withSites(int value) {
    return copy().sites(value).build();
  }

  public SimulatorSettings withRotatingMachineShare(double value) {
    return copy().rotatingMachineShare(value).build();
  }

  public SimulatorSettings withCompactShare(double value) {
    return copy().compactShare(value).build();
  }

  public SimulatorSettings withMalformedShare(double value) {
    return copy().malformedShare(value).build();
  }

  public SimulatorSettings withDuplicateShare(double value) {
    return copy().duplicateShare(value).build();
  }

  public SimulatorSettings withLateShare(double value) {
    return copy().lateShare(value).build();
  }

  public SimulatorSettings withFaultyShare(double value) {
    return copy().faultyShare(value).build();
  }

  public SimulatorSettings withTimeAcceleration(double value) {
    return copy().timeAcceleration(value).build();
  }

  public SimulatorSettings withProgressInterval(Duration value) {
    return copy().progressInterval(value).build();
  }

  public SimulatorSettings withDrain(Duration value) {
    return copy().drain(value).build();
  }

  public SimulatorSettings withTuning(Tuning value) {
    return copy().tuning(value).build();
  }

  private SettingsCopy copy() {
    return new SettingsCopy(this);
  }
}
