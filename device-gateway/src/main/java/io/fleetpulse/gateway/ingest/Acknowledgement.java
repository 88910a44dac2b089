package io.fleetpulse.gateway.ingest;

/**
 * Completes one inbound message towards the broker. Called exactly once per message, after the
 * message's fate is settled (accepted, duplicate, or rejected and dead-lettered).
 */
@FunctionalInterface
public interface Acknowledgement {

  /** Sends the MQTT PUBACK. Returns false when the connection the message came on is gone. */
  boolean acknowledge();
}
