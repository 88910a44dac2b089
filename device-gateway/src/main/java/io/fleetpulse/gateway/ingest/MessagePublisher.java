package io.fleetpulse.gateway.ingest;

import java.util.concurrent.CompletionStage;

/** Publishes to the broker; implemented over the gateway's MQTT connection. */
@FunctionalInterface
public interface MessagePublisher {

  /** Completes when the broker has the message at the given QoS. */
  CompletionStage<Void> publish(String topic, byte[] payload, int qos);
}
