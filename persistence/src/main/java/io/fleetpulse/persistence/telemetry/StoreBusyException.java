package io.fleetpulse.persistence.telemetry;

/**
 * The writer already has its maximum of requests in flight: the caller should retry later and,
 * meanwhile, not acknowledge what it could not store. Thrown per refused write, so no stack trace.
 */
public final class StoreBusyException extends RuntimeException {
  public StoreBusyException(int inFlight) {
    super("the telemetry store has " + inFlight + " writes in flight, its limit", null, false, false);
  }
}
