package io.fleetpulse.api.registry;

import java.util.Objects;
import java.util.Optional;

/**
 * Who an MQTT client of FleetPulse's broker connects as: a registered client's name (a device, an
 * edge gateway) and the secret its provisioning or last rotation returned. The broker admits only
 * client ids under the name ({@link #clientId}).
 */
public record MqttLogin(String username, String secret) {

  /** Environment variables the command-line publishers (replays) read their login from. */
  public static final String USERNAME_VARIABLE = "FLEETPULSE_MQTT_USERNAME";
  public static final String SECRET_VARIABLE = "FLEETPULSE_MQTT_PASSWORD";

  public MqttLogin {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(secret, "secret");
  }

  /** The client id {@code <username>-<suffix>}. */
  public String clientId(String suffix) {
    return username + "-" + suffix;
  }

  /** The login in {@value #USERNAME_VARIABLE} and {@value #SECRET_VARIABLE}; empty when either is unset. */
  public static Optional<MqttLogin> fromEnvironment() {
    String username = System.getenv(USERNAME_VARIABLE);
    String secret = System.getenv(SECRET_VARIABLE);
    return username == null || username.isEmpty() || secret == null ? Optional.empty()
        : Optional.of(new MqttLogin(username, secret));
  }

  @Override
  public String toString() {
    return "MqttLogin[" + username + "]"; // never the secret, in logs or assertion messages
  }
}
