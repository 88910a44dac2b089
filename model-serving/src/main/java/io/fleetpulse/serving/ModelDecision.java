package io.fleetpulse.serving;

import java.util.List;

/**
 * What the cluster decided one model's inference pools do, as every pool follows it: the version
 * they serve, the one they run in shadow, the versions they hold loaded (ready to be promoted or
 * rolled back to), and the versions a rollback returns to, newest first. {@code revision} counts
 * the decisions: of two for one model, the higher is the newer. A model nobody decided on yet has
 * revision 0 and no active version: each pool serves its highest admitted version.
 */
public record ModelDecision(String model, String active, String shadow, List<String> loaded, List<String> rollback,
    long revision, long updatedAtMillis) implements ServingSerializable {

  public ModelDecision {
    loaded = loaded == null ? List.of() : List.copyOf(loaded);
    rollback = rollback == null ? List.of() : List.copyOf(rollback);
  }

  /** No decision yet. */
  public static ModelDecision none(String model) {
    return new ModelDecision(model, null, null, List.of(), List.of(), 0, 0);
  }
}
