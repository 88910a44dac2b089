package io.fleetpulse.api.profile;

/**
 * How many messages one device of a profile may send: {@code messagesPerSecond} sustained, and up
 * to {@code burst} at once after a quiet spell (a token bucket of {@code burst} tokens refilled at
 * {@code messagesPerSecond}). The gateway refuses the excess as {@code rate.limited}.
 */
public record RateLimit(double messagesPerSecond, int burst) {

  public RateLimit {
    if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
      throw new IllegalArgumentException("rate-limit messages-per-second must be positive and finite, not " + messagesPerSecond);
    }
    if (burst < 1) {
      throw new IllegalArgumentException("rate-limit burst must be at least 1, not " + burst);
    }
    if (1e9 / messagesPerSecond * burst >= Long.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException("rate-limit burst " + burst + " at " + messagesPerSecond
          + " messages per second spans more time than a bucket can count");
    }
  }

  /** The time one message's token takes to come back, in nanoseconds (at least one). */
  public long nanosPerMessage() {
    return Math.max(1L, Math.round(1e9 / messagesPerSecond));
  }
}
