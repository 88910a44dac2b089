package io.fleetpulse.persistence.write;

/**
 * The writer already has its maximum of requests in flight and waiting: the caller should retry
 * later and, meanwhile, not acknowledge what it could not store. Thrown per refused write, so no
 * stack trace.
 */
public final class StoreBusyException extends RuntimeException {
  public StoreBusyException(String writer, int capacity) {
    super("the " + writer + " writer has " + capacity + " requests waiting, its limit", null, false, false);
  }
}
