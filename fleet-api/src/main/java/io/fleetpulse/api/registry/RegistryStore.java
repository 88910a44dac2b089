package io.fleetpulse.api.registry;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the registry's current entries are kept for a cluster that starts cold (every node
 * stopped, so Distributed Data holds nothing): each node loads them all before it reports ready.
 * Writes are idempotent and ordered by {@link RegistryEntry#revision()}: an older entry never
 * replaces a newer one.
 */
public interface RegistryStore {

  CompletionStage<Void> save(RegistryEntry entry);

  CompletionStage<List<RegistryEntry>> all();

  /** Nothing kept (no storage): a cold start begins with an empty registry. */
  RegistryStore NONE = new RegistryStore() {
    @Override
    public CompletionStage<Void> save(RegistryEntry entry) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<List<RegistryEntry>> all() {
      return CompletableFuture.completedFuture(List.of());
    }
  };
}
