package io.fleetpulse.simulator;

import io.fleetpulse.simulator.mqtt.GatewayConnection;
import io.fleetpulse.simulator.mqtt.Gateways;
import io.fleetpulse.simulator.plan.MessageFactory;
import io.fleetpulse.simulator.plan.MessagePlan;
import io.fleetpulse.simulator.plan.OutgoingMessage;
import io.fleetpulse.simulator.plan.SimulatedDevice;
import io.fleetpulse.simulator.signal.FaultSchedule;
import io.fleetpulse.simulator.signal.SimulationClock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publishing phase of one simulator run, used by {@link FleetSimulator}. One scheduler thread
 * ("fleet-simulator") runs the publishing loop: it walks the {@link MessagePlan} slot by slot,
 * takes a token from the rate limiter (a token bucket refilled every tick) and an in-flight permit
 * from the device's {@link GatewayConnection}, and publishes asynchronously. PUBACKs arrive on the
 * MQTT client's threads, update {@link RunCounters} and wake the loop; no thread per device.
 */
final class SimulationRun {

  private static final Logger LOG = LoggerFactory.getLogger(SimulationRun.class);
  private static final double NANOS_PER_SECOND = 1e9;

  private final SimulatorSettings settings;
  private final List<SimulatedDevice> fleet;
  private final MessagePlan plan;
  private final RunCounters counters;
  private final Gateways gateways;
  private final Consumer<String> progress;
  private final CountDownLatch issuingDone = new CountDownLatch(1);
  private final CountDownLatch settled = new CountDownLatch(1);
  private final AtomicBoolean pumpQueued = new AtomicBoolean();
  private final AtomicBoolean failureLogged = new AtomicBoolean();
  private final AtomicReference<RuntimeException> loopFailure = new AtomicReference<>();
  /** Callbacks count and release under the read lock; giving up on outstanding acks takes the write lock. */
  private final ReadWriteLock accounting = new ReentrantReadWriteLock();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "fleet-simulator");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean stopRequested;
  private volatile boolean issuingFinished;
  private volatile long settledNanos;
  private final AtomicLong outstanding = new AtomicLong();
  private boolean abandoned; // guarded by accounting

  // Owned by the scheduler thread.
  private MessageFactory factory;
  private SimulationClock clock;
  private long nextSlot;
  private double tokens = 1;
  private long lastRefillNanos;
  private long lastProgressSent;
  private long lastProgressNanos;
  private long startNanos;

  SimulationRun(SimulatorSettings settings, List<SimulatedDevice> fleet, MessagePlan plan, RunCounters counters,
      Gateways gateways, Consumer<String> progress) {
    this.settings = settings;
    this.fleet = fleet;
    this.plan = plan;
    this.counters = counters;
    this.gateways = gateways;
    this.progress = progress;
  }

  /** Publishes until the plan, the duration or {@link #stop()} ends it; returns the publishing time. */
  Duration publish() throws InterruptedException {
    SimulatorSettings.Tuning tuning = settings.tuning();
    long wallStart = System.currentTimeMillis();
    clock = new SimulationClock(wallStart, settings.timeAcceleration());
    factory = new MessageFactory(fleet, plan, new MessageFactory.Options(
        settings.seed(), settings.compactShare(), tuning.lateAge(),
        new FaultSchedule(tuning.faultPeriod(), tuning.faultDuration()), wallStart,
        tuning.oversizePayloadBytes(), tuning.skewedTimestampAge()));
    startNanos = System.nanoTime();
    lastRefillNanos = startNanos;
    lastProgressNanos = startNanos;
    try {
      scheduler.scheduleAtFixedRate(this::pump, 0, tuning.tickInterval().toNanos(), TimeUnit.NANOSECONDS);
      if (!settings.progressInterval().isZero()) {
        long interval = settings.progressInterval().toNanos();
        scheduler.scheduleAtFixedRate(this::printProgress, interval, interval, TimeUnit.NANOSECONDS);
      }
      if (!settings.duration().isZero()) {
        scheduler.schedule(this::stop, settings.duration().toNanos(), TimeUnit.NANOSECONDS);
      }
      issuingDone.await();
      if (!settled.await(tuning.ackTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("{} publishes still unacknowledged after {}; counting them as failed", outstanding(), tuning.ackTimeout());
        abandonOutstanding();
      }
    } finally {
      scheduler.shutdownNow();
    }
    RuntimeException failure = loopFailure.get();
    if (failure != null) {
      throw failure;
    }
    long end = settled.getCount() == 0 ? settledNanos : System.nanoTime();
    return Duration.ofNanos(end - startNanos);
  }

  /** Stops issuing new publishes; outstanding ones are still awaited. Callable from any thread. */
  void stop() {
    stopRequested = true;
    queuePump();
  }

  private void pump() {
    pumpQueued.set(false);
    if (issuingFinished) {
      return;
    }
    try {
      issue();
    } catch (RuntimeException e) {
      loopFailure.compareAndSet(null, e);
      finishIssuing();
    }
  }

  private void issue() {
    double rate = settings.rate();
    if (rate > 0) {
      long now = System.nanoTime();
      double burst = Math.max(1, rate * settings.tuning().rateBurst().toNanos() / NANOS_PER_SECOND);
      tokens = Math.min(burst, tokens + (now - lastRefillNanos) * rate / NANOS_PER_SECOND);
      lastRefillNanos = now;
    }
    while (!stopRequested && plan.hasSlot(nextSlot)) {
      if (rate > 0 && tokens < 1) {
        return;
      }
      GatewayConnection connection = gateways.get(fleet.get(plan.deviceOf(nextSlot)).connection());
      if (!connection.tryAcquire()) {
        return; // the next acknowledgement queues another pump
      }
      long wall = System.currentTimeMillis();
      OutgoingMessage message = factory.create(nextSlot++, wall, clock.simulatedMillis(wall));
      tokens -= rate > 0 ? 1 : 0;
      outstanding.incrementAndGet();
      counters.onSent();
      connection.publish(message.topic(), message.payload())
          .whenComplete((ignored, error) -> onOutcome(message, error));
    }
    finishIssuing();
  }

  private void onOutcome(OutgoingMessage message, Throwable error) {
    accounting.readLock().lock();
    try {
      if (abandoned) {
        return;
      }
      if (error == null) {
        counters.onAcknowledged(message);
      } else {
        counters.onFailed(1);
        if (failureLogged.compareAndSet(false, true)) {
          LOG.warn("publish to {} failed (further failures are only counted)", message.topic(), error);
        }
      }
      outstanding.decrementAndGet();
    } finally {
      accounting.readLock().unlock();
    }
    checkSettled();
    queuePump();
  }

  private void finishIssuing() {
    if (!issuingFinished) {
      issuingFinished = true;
      issuingDone.countDown();
      checkSettled();
    }
  }

  private void checkSettled() {
    if (issuingFinished && outstanding() == 0 && settled.getCount() > 0) {
      settledNanos = System.nanoTime();
      settled.countDown();
    }
  }

  private long outstanding() {
    return outstanding.get();
  }

  private void abandonOutstanding() {
    accounting.writeLock().lock();
    try {
      abandoned = true;
      counters.onFailed(outstanding.getAndSet(0));
    } finally {
      accounting.writeLock().unlock();
    }
  }

  private void queuePump() {
    if (!issuingFinished && pumpQueued.compareAndSet(false, true)) {
      try {
        scheduler.execute(this::pump);
      } catch (RuntimeException e) {
        pumpQueued.set(false); // scheduler already shut down
      }
    }
  }

  private void printProgress() {
    long now = System.nanoTime();
    long sent = counters.sent();
    double seconds = (now - lastProgressNanos) / NANOS_PER_SECOND;
    progress.accept(String.format(Locale.ROOT, "[%8.1fs] sent=%d acked=%d failed=%d dead-letters=%d rate=%.1f/s",
        (now - startNanos) / NANOS_PER_SECOND, sent, counters.acknowledged(), counters.failed(),
        counters.deadLetters(), (sent - lastProgressSent) / seconds));
    lastProgressSent = sent;
    lastProgressNanos = now;
  }
}
