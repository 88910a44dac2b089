package io.fleetpulse.gateway.ingest;

import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.RateLimit;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.gateway.GatewaySettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.LongSupplier;

/**
 * The message quotas of the devices publishing through this gateway: a token bucket per device,
 * sized by its profile's {@link RateLimit} (or the gateway's default). The pipeline asks {@link
 * #tryAcquire} once per valid message, before storing it; a refusal is the message's {@code
 * rate.limited} rejection.
 *
 * <p>A bucket is one number, the time at which it is full again (the generic cell rate algorithm:
 * a token bucket without a refill timer). Each message pushes that time one token's worth
 * ({@code 1 / messages-per-second}) into the future, starting from now when it lies in the past; a
 * message that would push it more than {@code burst} tokens ahead is refused and changes nothing.
 * Taking a token is one compare-and-set, so MQTT client threads never wait for each other, and
 * devices never share a bucket. A bucket that has refilled completely behaves exactly like a
 * missing one, so {@link #sweep} drops those: memory follows the devices that sent within the last
 * {@code burst / messages-per-second}, about 100 bytes each, not every device ever seen.
 *
 * <p>Time comes from a monotonic nanosecond clock ({@code System::nanoTime}; tests pass their
 * own), so a wall clock stepped back by NTP neither refills nor drains anything. Each gateway node
 * counts for itself: with a shared subscription over n nodes a device gets up to n quotas.
 */
public final class DeviceQuotas {

  private final boolean enabled;
  private final RateLimit defaultLimit;
  private final DeviceProfiles profiles;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public DeviceQuotas(GatewaySettings.RateLimiting settings, DeviceProfiles profiles, LongSupplier nanoClock) {
    this(settings.enabled(), settings.defaultLimit(), profiles, nanoClock);
  }

  private DeviceQuotas(boolean enabled, RateLimit defaultLimit, DeviceProfiles profiles, LongSupplier nanoClock) {
    this.enabled = enabled;
    this.defaultLimit = defaultLimit;
    this.profiles = profiles;
    this.nanoClock = nanoClock;
  }

  /** Quotas that refuse nothing and keep no buckets. */
  public static DeviceQuotas unlimited() {
    return new DeviceQuotas(false, null, null, System::nanoTime);
  }

  /** Whether quotas are held at all ({@code fleetpulse.gateway.rate-limit.enabled}). */
  public boolean enabled() {
    return enabled;
  }

  /** The quota of {@code device}: its profile's, or the default when the profile declares none (null when not {@link #enabled}). */
  RateLimit limit(DeviceIdentity device) {
    if (!enabled) {
      return null;
    }
    return profiles.find(device.profile()).flatMap(DeviceProfile::declaredRateLimit).orElse(defaultLimit);
  }

  /** Takes one message's token from the device's bucket; false (and nothing taken) when it is over quota. */
  public boolean tryAcquire(DeviceIdentity device) {
    if (!enabled) {
      return true;
    }
    RateLimit limit = limit(device);
    long now = nanoClock.getAsLong();
    while (true) {
      Bucket bucket = buckets.get(device.deviceId());
      if (bucket == null) {
        bucket = buckets.computeIfAbsent(device.deviceId(), id -> new Bucket(limit, now));
      } else if (!bucket.limit.equals(limit)) {
        // The device's profile changed: its new quota starts full.
        buckets.replace(device.deviceId(), bucket, new Bucket(limit, now));
        continue;
      }
      int taken = bucket.take(now);
      if (taken != Bucket.SWEPT) {
        return taken == Bucket.TAKEN;
      }
      // Dropped by a concurrent sweep after it refilled: out of the map with it (the sweep may not
      // have got there yet), and the next lookup makes a new one.
      buckets.remove(device.deviceId(), bucket);
    }
  }

  /** Drops the buckets that have refilled completely; returns how many. */
  public int sweep() {
    long now = nanoClock.getAsLong();
    int dropped = 0;
    for (Map.Entry<String, Bucket> entry : buckets.entrySet()) {
      if (entry.getValue().retireIfFull(now)) {
        buckets.remove(entry.getKey(), entry.getValue());
        dropped++;
      }
    }
    return dropped;
  }

  /** How many devices have a bucket now. */
  public int buckets() {
    return buckets.size();
  }

  /** One device's bucket: the time it is full again, and its limit in clock units. */
  private static final class Bucket {

    static final int TAKEN = 0;
    static final int EMPTY = 1;
    static final int SWEPT = 2;
    /** {@link #fullAt} of a bucket a sweep dropped; no clock reading is this. */
    private static final long RETIRED = Long.MIN_VALUE;
    private static final AtomicLongFieldUpdater<Bucket> FULL_AT = AtomicLongFieldUpdater.newUpdater(Bucket.class, "fullAt");

    final RateLimit limit;
    private final long nanosPerToken;
    /** How far ahead of now {@link #fullAt} may lie: {@code burst} tokens. */
    private final long capacityNanos;
    private volatile long fullAt;

    Bucket(RateLimit limit, long now) {
      this.limit = limit;
      this.nanosPerToken = limit.nanosPerMessage();
      this.capacityNanos = nanosPerToken * limit.burst();
      this.fullAt = now;
    }

    int take(long now) {
      while (true) {
        long full = fullAt;
        if (full == RETIRED) {
          return SWEPT;
        }
        long next = (full - now > 0 ? full : now) + nanosPerToken;
        if (next - now > capacityNanos) {
          return EMPTY;
        }
        if (FULL_AT.compareAndSet(this, full, next)) {
          return TAKEN;
        }
      }
    }

    /**
     * Marks a full bucket dropped, so a token taken meanwhile is never lost with it: the
     * compare-and-set fails when one was.
     */
    boolean retireIfFull(long now) {
      long full = fullAt;
      return full != RETIRED && full - now <= 0 && FULL_AT.compareAndSet(this, full, RETIRED);
    }
  }
}
