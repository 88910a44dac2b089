package io.fleetpulse.benchmarks.alerts;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rotating machines whose bearing overheats again and again, published over one edge gateway's
 * connection: each device sends a reading every {@code interval} (the devices spread over it, not
 * in step), eleven at a major temperature
 * (the rotating-machine profile's bearing-overheat rule raises its alert once the condition has
 * held 10 s of event time, so at the eleventh) and then one at 70 Cel (below the clear threshold:
 * the alert resolves), over and over. Event time advances 1 s per reading from six hours ago,
 * faster than the wall clock, so a raise takes {@code 11 x interval}, not 11 s, while timestamps
 * stay in the past. Every reading that completes a raise is remembered with the time just before
 * it was handed to the MQTT client ({@link System#nanoTime}): the start of the latency measured.
 * Its temperature carries the cycle (96.00 + (cycle mod 1000) / 100), and the raised alert's
 * {@code lastValue} is that reading's, so an alert event names the reading that caused it.
 */
final class FaultyDevices implements AutoCloseable {

  /** Readings per cycle: eleven hot ones (the eleventh raises), one cool one (resolves). */
  static final int READINGS_PER_CYCLE = 12;
  private static final int RAISING_READING = 10;
  private static final int CYCLE_TAGS = 1000;
  private static final double HOT_BASE = 96.0;
  private static final double COOL = 70.0;
  private static final Duration EVENT_TIME_START = Duration.ofHours(6);

  /**
   * A raising reading: which device and cycle, and when it was published (the monotonic clock the
   * latencies are measured on, and the wall clock the node's {@code raisedAtMillis} is compared with).
   */
  record Raise(String deviceId, long cycle, long publishedNanos, long publishedMillis) {}

  private final Mqtt5AsyncClient client;
  private final String site;
  private final int devices;
  private final Duration interval;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(task -> {
    Thread thread = new Thread(task, "faulty-devices");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Raise> raises = new ConcurrentHashMap<>();
  private final java.util.Queue<Raise> all = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final long eventTimeStart = System.currentTimeMillis() - EVENT_TIME_START.toMillis();
  private final long[] sequences; // owned by the scheduler thread

  FaultyDevices(String brokerUrl, MqttLogin gateway, String site, int devices, Duration interval) {
    URI url = URI.create(brokerUrl);
    this.client = MqttClient.builder().useMqttVersion5().identifier(gateway.clientId("faulty"))
        .serverHost(url.getHost()).serverPort(url.getPort()).buildAsync();
    client.connectWith().simpleAuth().username(gateway.username())
        .password(gateway.secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().join();
    this.site = site;
    this.devices = devices;
    this.interval = interval;
    this.sequences = new long[devices + 1];
  }

  static String deviceId(int device) {
    return String.format(Locale.ROOT, "rm-faulty-%02d", device);
  }

  /** Which device and cycle an alert's last value names, the key {@link #raise} looks up. */
  static String key(String deviceId, double lastValue) {
    return deviceId + "#" + Math.round((lastValue - HOT_BASE) * 100);
  }

  /** Starts publishing: every device a reading per interval, device {@code i} at {@code i / devices} of it. */
  void start() {
    for (int device = 1; device <= devices; device++) {
      int which = device;
      scheduler.scheduleAtFixedRate(() -> publish(which), interval.toNanos() * (device - 1) / devices,
          interval.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  /** The raise an alert event names, or empty when none was published (another device's, an old one). */
  java.util.Optional<Raise> raise(String deviceId, double lastValue) {
    return java.util.Optional.ofNullable(raises.get(key(deviceId, lastValue)));
  }

  /** Every raising reading published so far. */
  java.util.List<Raise> raises() {
    return java.util.List.copyOf(all);
  }

  long published() {
    return published.get();
  }

  long failed() {
    return failed.get();
  }

  private void publish(int device) {
    long sequence = ++sequences[device];
    long cycle = (sequence - 1) / READINGS_PER_CYCLE;
    int step = (int) ((sequence - 1) % READINGS_PER_CYCLE);
    double temperature = step <= RAISING_READING ? HOT_BASE + (cycle % CYCLE_TAGS) / 100.0 : COOL;
    long timestamp = eventTimeStart + sequence * 1000;
    String deviceId = deviceId(device);
    byte[] payload = String.format(Locale.ROOT,
        "{\"ts\":%d,\"seq\":%d,\"values\":{\"vibration\":3.0,\"bearing-temperature\":%.2f,"
            + "\"motor-current\":80.0,\"pressure\":60.0,\"speed\":1500.0}}", timestamp, sequence, temperature)
        .getBytes(StandardCharsets.UTF_8);
    if (step == RAISING_READING) {
      Raise raise = new Raise(deviceId, cycle, System.nanoTime(), System.currentTimeMillis());
      raises.put(key(deviceId, temperature), raise);
      all.add(raise);
    }
    client.publishWith().topic("fleet/" + site + "/" + deviceId + "/telemetry").qos(MqttQos.AT_LEAST_ONCE)
        .payload(payload).send().whenComplete((result, failure) -> {
          if (failure == null && result.getError().isEmpty()) {
            published.incrementAndGet();
          } else {
            failed.incrementAndGet();
          }
        });
  }

  /** Stops publishing; the readings already handed over still go out. */
  void stop() throws InterruptedException {
    scheduler.shutdown();
    scheduler.awaitTermination(interval.toMillis() * 10 + 1000, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    client.disconnect().exceptionally(failure -> null).join();
  }
}
