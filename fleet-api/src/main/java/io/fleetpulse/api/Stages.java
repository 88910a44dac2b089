package io.fleetpulse.api;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Helpers for the completion stages Pekko's Java API returns. */
public final class Stages {

  private Stages() {}

  /**
   * Pekko's Java ask returns Scala's CompletableFuture adapter, which turns every non-async
   * callback (whenComplete, thenApply) into its async twin on the default executor. On a machine
   * with two cores that executor is one new thread per callback: one thread per telemetry message,
   * per registration of a bulk upload. Callers get a plain future completed on the replying
   * thread instead.
   */
  public static <T> CompletionStage<T> plain(CompletionStage<T> pekkoStage) {
    CompletableFuture<T> plain = new CompletableFuture<>();
    pekkoStage.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            plain.completeExceptionally(failure);
          } else {
            plain.complete(value);
          }
        },
        Runnable::run);
    return plain;
  }
}
