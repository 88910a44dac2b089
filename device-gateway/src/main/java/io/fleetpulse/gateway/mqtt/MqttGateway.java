package io.fleetpulse.gateway.mqtt;

import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.ingest.IngestPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's MQTT subscriber: {@code connections} Paho MQTT 5 clients that each join the shared
 * subscription, so the broker splits telemetry between them and between gateway nodes, or, with
 * the embedded broker, one client subscribed outside any share group (see {@link
 * GatewaySettings.Mqtt#exclusive}: HiveMQ CE loses a shared subscription's in-flight messages when
 * it crashes, and the embedded broker crashes with the node). Messages
 * are acknowledged explicitly by the {@link IngestPipeline} once settled, and MQTT 5's Receive
 * Maximum bounds how many unacknowledged messages the broker pushes per connection: the
 * in-flight window that makes a slow node slow the broker rather than fill the heap.
 */
public final class MqttGateway implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MqttGateway.class);

  private final List<SubscriberConnection> connections;
  private final IngestPipeline pipeline;
  private final GatewaySettings.Mqtt settings;
  private final IntSupplier inFlight;
  private final GatewaySettings.Broker broker;
  private final List<String> unusedSessions;
  private final CompletableFuture<Integer> unusedSessionsEnded = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicInteger nextPublisher = new java.util.concurrent.atomic.AtomicInteger();

  public MqttGateway(
      GatewaySettings settings, String nodeName, IngestPipeline pipeline, ScheduledExecutorService scheduler,
      IntSupplier inFlight) {
    this.pipeline = pipeline;
    this.settings = settings.mqtt();
    this.inFlight = inFlight;
    this.connections = new ArrayList<>();
    boolean embedded = settings.broker().embedded();
    String filter = settings.mqtt().topicFilter(embedded);
    String leave = settings.mqtt().shareGroupToLeave(embedded).orElse(null);
    for (int i = 0; i < settings.mqtt().subscriberConnections(embedded); i++) {
      connections.add(new SubscriberConnection(
          settings.broker(), settings.mqtt(), settings.mqtt().clientId(nodeName, i), filter, leave, pipeline, scheduler));
    }
    this.broker = settings.broker();
    this.unusedSessions = settings.mqtt().unusedClientIds(nodeName, embedded);
    LOG.info("gateway subscribes to {} on {} connection(s){}", filter, connections.size(),
        settings.mqtt().exclusive(embedded) ? " (exclusive: " + settings.mqtt().sharing() + " sharing with the "
            + (embedded ? "embedded" : "external") + " broker)" : "");
  }

  /**
   * Connects every connection; completes once all of them have subscribed. An exclusive subscriber
   * first ends, on a thread of its own, the sessions of the connections it no longer uses.
   */
  public CompletionStage<Void> start() {
    if (unusedSessions.isEmpty()) {
      unusedSessionsEnded.complete(0);
    } else {
      Thread retire = new Thread(this::endUnusedSessions, "fleetpulse-gateway-end-sessions");
      retire.setDaemon(true);
      retire.start();
    }
    List<CompletableFuture<Void>> subscribed = new ArrayList<>();
    for (SubscriberConnection connection : connections) {
      subscribed.add(connection.start().toCompletableFuture());
    }
    return CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new));
  }

  /**
   * Completes, once {@link #start()} has run, when the gateway has tried to end the broker session
   * of every connection it no longer uses, with the number it ended (a session it could not end
   * is logged, and the broker expires it); at once, with 0, when there are none.
   */
  public CompletionStage<Integer> unusedSessionsEnded() {
    return unusedSessionsEnded;
  }

  private void endUnusedSessions() {
    int ended = 0;
    try {
      for (String clientId : unusedSessions) {
        ended += SubscriberConnection.endSession(broker, settings, clientId) ? 1 : 0;
      }
    } finally {
      unusedSessionsEnded.complete(ended);
    }
  }

  /**
   * Publishes through one of the connections (in turn, skipping disconnected ones); fails when
   * none is connected.
   */
  public CompletionStage<Void> publish(String topic, byte[] payload, int qos) {
    int start = Math.floorMod(nextPublisher.getAndIncrement(), connections.size());
    for (int i = 0; i < connections.size(); i++) {
      SubscriberConnection connection = connections.get((start + i) % connections.size());
      if (connection.isSubscribed()) {
        return connection.publish(topic, payload, qos);
      }
    }
    return CompletableFuture.failedFuture(new IllegalStateException("no gateway connection to the broker"));
  }

  /** True while every connection is connected and subscribed. */
  public boolean isReady() {
    return connections.stream().allMatch(SubscriberConnection::isSubscribed);
  }

  /**
   * Stops taking new work, lets in-flight messages settle for up to the drain timeout so their
   * acknowledgements go out, then disconnects. The sessions stay with the broker: whatever was
   * not acknowledged is redelivered when a gateway reconnects.
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + settings.drainTimeout().toNanos();
    connections.forEach(SubscriberConnection::pause);
    while (inFlight.getAsInt() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    pipeline.stop();
    int left = inFlight.getAsInt();
    if (left > 0) {
      LOG.info("{} messages still in flight at shutdown stay unacknowledged; the broker will redeliver them", left);
    }
    connections.forEach(SubscriberConnection::close);
  }
}
