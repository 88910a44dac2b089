package io.fleetpulse.gateway.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.profile.RateLimit;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.gateway.GatewaySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeviceQuotasTest {

  private static final long MILLIS = 1_000_000L;
  // 10 messages per second, 5 at once: a token every 100 ms.
  private static final DeviceProfiles PROFILES = DeviceProfiles.fromConfig(ConfigFactory.parseString("""
          fleetpulse.profiles.limited = ${fleetpulse.profiles.rotating-machine} {
            rate-limit { messages-per-second = 10, burst = 5 }
          }
          fleetpulse.profiles.slow = ${fleetpulse.profiles.rotating-machine} {
            rate-limit { messages-per-second = 0.5, burst = 1 }
          }
          fleetpulse.profiles.unlimited = ${fleetpulse.profiles.rotating-machine}
          fleetpulse.profiles.unlimited.rate-limit = null
          """).withFallback(ConfigFactory.defaultReference()).resolve());
  private static final DeviceIdentity PUMP = new DeviceIdentity("pump-1", "plant-1", "limited");
  private static final DeviceIdentity FAN = new DeviceIdentity("fan-1", "plant-1", "limited");

  // An arbitrary origin, as System.nanoTime's, negative to cross zero.
  private final AtomicLong nanos = new AtomicLong(-3_000 * MILLIS);
  private final GatewaySettings.RateLimiting settings =
      new GatewaySettings.RateLimiting(true, new RateLimit(2, 3), Duration.ofMinutes(1));
  private final DeviceQuotas quotas = new DeviceQuotas(settings, PROFILES, nanos::get);

  @Test
  void a_steady_rate_within_the_quota_always_passes() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(quotas.tryAcquire(PUMP)).as("message %d", i).isTrue();
      nanos.addAndGet(100 * MILLIS);
    }
  }

  @Test
  void a_burst_beyond_the_quota_is_refused_message_for_message() {
    int accepted = 0;
    int refused = 0;
    for (int i = 0; i < 12; i++) {
      if (quotas.tryAcquire(PUMP)) {
        accepted++;
      } else {
        refused++;
      }
    }

    assertThat(accepted).isEqualTo(5);
    assertThat(refused).isEqualTo(7);
  }

  @Test
  void a_rate_above_the_quota_gets_exactly_the_burst_and_then_the_rate() {
    int accepted = 0;
    // 20 per second, at 0, 50, ..., 10,000 ms: the burst of 5, then the 100 tokens of 10 s.
    for (int i = 0; i <= 200; i++) {
      if (quotas.tryAcquire(PUMP)) {
        accepted++;
      }
      nanos.addAndGet(50 * MILLIS);
    }

    assertThat(accepted).isEqualTo(5 + 100);
  }

  @Test
  void the_bucket_refills_with_time_and_never_beyond_the_burst() {
    drain(PUMP);

    nanos.addAndGet(250 * MILLIS); // two and a half tokens' worth
    assertThat(quotas.tryAcquire(PUMP)).isTrue();
    assertThat(quotas.tryAcquire(PUMP)).isTrue();
    assertThat(quotas.tryAcquire(PUMP)).as("half a token is none").isFalse();
    nanos.addAndGet(50 * MILLIS);
    assertThat(quotas.tryAcquire(PUMP)).as("the half completed").isTrue();

    nanos.addAndGet(60_000 * MILLIS); // a long quiet spell
    assertThat(drain(PUMP)).as("a full bucket holds the burst, however long the device was quiet").isEqualTo(5);
  }

  @Test
  void a_refused_message_takes_nothing() {
    drain(PUMP);
    for (int i = 0; i < 100; i++) {
      assertThat(quotas.tryAcquire(PUMP)).isFalse(); // a flood that keeps trying
    }

    nanos.addAndGet(100 * MILLIS);

    assertThat(quotas.tryAcquire(PUMP)).as("the token that came back meanwhile").isTrue();
  }

  @Test
  void a_flooding_device_does_not_touch_another_device_s_bucket() {
    for (int i = 0; i < 10_000; i++) {
      quotas.tryAcquire(PUMP);
    }

    assertThat(drain(FAN)).isEqualTo(5);
    nanos.addAndGet(100 * MILLIS);
    assertThat(quotas.tryAcquire(FAN)).isTrue();
    assertThat(quotas.tryAcquire(PUMP)).isTrue();
    assertThat(quotas.tryAcquire(PUMP)).isFalse();
  }

  @Test
  void a_profile_without_a_quota_gets_the_default_and_fractional_rates_work() {
    DeviceIdentity meter = new DeviceIdentity("meter-1", "plant-1", "unlimited");
    assertThat(drain(meter)).as("the default's burst").isEqualTo(3);
    nanos.addAndGet(500 * MILLIS);
    assertThat(drain(meter)).as("the default's 2 per second").isEqualTo(1);

    DeviceIdentity slow = new DeviceIdentity("slow-1", "plant-1", "slow");
    assertThat(drain(slow)).isEqualTo(1);
    nanos.addAndGet(1_999 * MILLIS);
    assertThat(quotas.tryAcquire(slow)).as("one message every 2 s").isFalse();
    nanos.addAndGet(MILLIS);
    assertThat(quotas.tryAcquire(slow)).isTrue();
  }

  @Test
  void a_sweep_drops_only_refilled_buckets_and_changes_no_verdict() {
    drain(PUMP);
    quotas.tryAcquire(FAN);
    nanos.addAndGet(100 * MILLIS); // FAN is full again, PUMP has one token of five

    assertThat(quotas.sweep()).isEqualTo(1);
    assertThat(quotas.buckets()).isEqualTo(1);
    assertThat(drain(PUMP)).as("kept, still drained").isEqualTo(1);
    assertThat(drain(FAN)).as("dropped full, starts full").isEqualTo(5);

    nanos.addAndGet(500 * MILLIS);
    assertThat(quotas.sweep()).isEqualTo(2);
    assertThat(quotas.buckets()).isZero();
  }

  @Test
  void concurrent_senders_of_one_device_share_exactly_its_burst() throws InterruptedException {
    int threads = 4;
    AtomicInteger accepted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread sender = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < 1_000; i++) {
          if (quotas.tryAcquire(PUMP)) {
            accepted.incrementAndGet();
          }
        }
      });
      sender.start();
      senders.add(sender);
    }
    start.countDown();
    for (Thread sender : senders) {
      sender.join(TimeUnit.SECONDS.toMillis(10));
    }

    assertThat(accepted.get()).isEqualTo(5);
  }

  @Test
  void disabled_quotas_refuse_nothing_and_keep_nothing() {
    DeviceQuotas off = new DeviceQuotas(
        new GatewaySettings.RateLimiting(false, new RateLimit(1, 1), Duration.ofMinutes(1)), PROFILES, nanos::get);

    for (int i = 0; i < 100; i++) {
      assertThat(off.tryAcquire(PUMP)).isTrue();
      assertThat(DeviceQuotas.unlimited().tryAcquire(PUMP)).isTrue();
    }
    assertThat(off.buckets()).isZero();
  }

  /** Takes tokens at this instant until refused; returns how many it got. */
  private int drain(DeviceIdentity device) {
    int taken = 0;
    while (quotas.tryAcquire(device)) {
      taken++;
    }
    return taken;
  }
}
