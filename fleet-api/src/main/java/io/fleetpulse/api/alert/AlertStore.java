package io.fleetpulse.api.alert;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where device actors keep their alerts: every change is saved (the alert tables operators and
 * data teams read), and a device's open alerts (every status but {@link AlertStatus#CLEARED_ACK})
 * are read back when its actor starts, so a restart neither forgets an alert nor raises a second
 * one for the same condition. The node implements it over Cassandra.
 */
public interface AlertStore {

  /** The device's alerts not yet cleared and acknowledged, any order. Fails when the store is unreachable. */
  CompletionStage<List<Alert>> open(String deviceId);

  /** Saves the changed alert; completes when it is durable, fails when it could not be stored. */
  CompletionStage<Void> save(AlertChange change);

  /** Nothing is stored: alerts live as long as their actor. */
  AlertStore NONE = new AlertStore() {
    @Override
    public CompletionStage<List<Alert>> open(String deviceId) {
      return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public CompletionStage<Void> save(AlertChange change) {
      return CompletableFuture.completedFuture(null);
    }
  };
}
