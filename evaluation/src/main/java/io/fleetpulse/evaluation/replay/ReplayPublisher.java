package io.fleetpulse.evaluation.replay;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import io.fleetpulse.api.registry.MqttLogin;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a benchmark replay over MQTT at QoS 1: at most {@link #IN_FLIGHT} messages unanswered
 * by the broker at a time, as fast as it acknowledges or at a given rate. The benchmark replays
 * (C-MAPSS engines, NAB series) build the messages; this sends them and counts the answers.
 */
public final class ReplayPublisher implements AutoCloseable {

  /** What was sent: messages and the broker's acknowledgements. */
  public record Result(long published, long acknowledged, long failed) {}

  private static final int IN_FLIGHT = 500;
  private static final long DRAIN_SECONDS = 60;

  private final Mqtt5AsyncClient client;
  private final double rate;
  private final Semaphore window = new Semaphore(IN_FLIGHT);
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final long begun = System.nanoTime();
  private long published;

  /**
   * Connects as {@code login} (an edge gateway of the replay's site; null: anonymously, for a
   * broker without access control) with the client id {@code <username>-<clientSuffix>}; {@code
   * rate} messages per second, or 0 for as fast as acknowledged.
   */
  public ReplayPublisher(String brokerUrl, MqttLogin login, String clientSuffix, double rate) {
    URI url = URI.create(brokerUrl);
    this.client = MqttClient.builder().useMqttVersion5()
        .identifier(login == null ? clientSuffix : login.clientId(clientSuffix))
        .serverHost(url.getHost()).serverPort(url.getPort() > 0 ? url.getPort() : 1883).buildAsync();
    this.rate = rate;
    if (login == null) {
      client.connect().join();
    } else {
      client.connectWith().simpleAuth().username(login.username())
          .password(login.secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth().send().join();
    }
  }

  public void publish(String topic, byte[] payload) throws InterruptedException {
    window.acquire();
    client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
        .whenComplete((ok, failure) -> {
          (failure == null && ok.getError().isEmpty() ? acknowledged : failed).incrementAndGet();
          window.release();
        });
    published++;
    if (rate > 0) {
      long wait = begun + (long) (published * 1e9 / rate) - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
  }

  /** Waits for the broker to answer every message sent so far. */
  public Result finish() throws InterruptedException {
    if (!window.tryAcquire(IN_FLIGHT, DRAIN_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("publishes unanswered after " + DRAIN_SECONDS + " s");
    }
    window.release(IN_FLIGHT);
    return new Result(published, acknowledged.get(), failed.get());
  }

  @Override
  public void close() {
    client.disconnect().join();
  }
}
