package io.fleetpulse.gateway.mqtt;

import io.fleetpulse.gateway.GatewaySettings;
import io.fleetpulse.gateway.ingest.IngestPipeline;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Paho MQTT 5 client of the gateway, with manual acknowledgements. Each connection has an
 * epoch that changes when the connection drops: a message settled after its connection is gone
 * is not acknowledged (its packet id may already name another message); the broker redelivers it
 * on the resumed session instead.
 */
final class SubscriberConnection implements MqttCallback {

  private static final Logger LOG = LoggerFactory.getLogger(SubscriberConnection.class);

  private final GatewaySettings.Broker broker;
  private final GatewaySettings.Mqtt settings;
  private final String clientId;
  private final String filter;
  private final String leave;
  private final IngestPipeline pipeline;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong epoch = new AtomicLong();
  private final CompletableFuture<Void> firstSubscription = new CompletableFuture<>();
  private volatile MqttAsyncClient client;
  private volatile boolean subscribed;
  private volatile boolean closing;
  private volatile boolean paused;
  // Paho's callback thread resets it, the retry scheduler's thread counts it up.
  private final java.util.concurrent.atomic.AtomicInteger connectAttempts = new java.util.concurrent.atomic.AtomicInteger();

  SubscriberConnection(
      GatewaySettings.Broker broker, GatewaySettings.Mqtt settings, String clientId, String filter, String leave,
      IngestPipeline pipeline, ScheduledExecutorService scheduler) {
    this.broker = broker;
    this.settings = settings;
    this.clientId = clientId;
    this.filter = filter;
    this.leave = leave;
    this.pipeline = pipeline;
    this.scheduler = scheduler;
  }

  CompletionStage<Void> start() {
    try {
      client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
    } catch (MqttException e) {
      firstSubscription.completeExceptionally(e);
      return firstSubscription;
    }
    client.setManualAcks(true);
    client.setCallback(this);
    connect();
    return firstSubscription;
  }

  private MqttConnectionOptions options() {
    MqttConnectionOptions options = baseOptions(broker, settings);
    options.setCleanStart(false);
    options.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
    options.setReceiveMaximum(settings.receiveMaximum());
    options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(
        (int) Math.max(1, settings.reconnectMinDelay().toSeconds()), (int) Math.max(1, settings.reconnectMaxDelay().toSeconds()));
    return options;
  }

  /** Connect timeout, socket factory and credentials: what every connection to the broker shares. */
  private static MqttConnectionOptions baseOptions(GatewaySettings.Broker broker, GatewaySettings.Mqtt settings) {
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    if (broker.url().startsWith("tcp://")) {
      options.setSocketFactory(new NoDelaySocketFactory());
    }
    if (!broker.username().isEmpty() && !broker.password().isEmpty()) {
      options.setUserName(broker.username());
      options.setPassword(broker.password().getBytes(StandardCharsets.UTF_8));
    }
    return options;
  }

  /**
   * Ends the broker session of {@code clientId}, whatever it holds (subscriptions, queued
   * messages): connects with a clean start and no session expiry, then disconnects. Returns
   * whether it did; a broker that cannot be reached is logged and left as it is.
   */
  static boolean endSession(GatewaySettings.Broker broker, GatewaySettings.Mqtt settings, String clientId) {
    long timeout = settings.connectTimeout().toMillis();
    MqttAsyncClient client = null;
    try {
      client = new MqttAsyncClient(broker.url(), clientId, new MemoryPersistence());
      MqttConnectionOptions options = baseOptions(broker, settings);
      options.setCleanStart(true);
      options.setSessionExpiryInterval(0L);
      client.connect(options).waitForCompletion(timeout);
      client.disconnect().waitForCompletion(timeout);
      LOG.info("gateway ended the broker session of {}, a connection it no longer uses", clientId);
      return true;
    } catch (MqttException e) {
      LOG.warn("gateway could not end the broker session of {}: {}", clientId, e.toString());
      return false;
    } finally {
      if (client != null) {
        try {
          client.close(true);
        } catch (MqttException e) {
          LOG.debug("gateway {} close: {}", clientId, e.toString());
        }
      }
    }
  }

  /** The first connect is retried here; after it, Paho's automatic reconnect takes over. */
  private void connect() {
    if (closing) {
      return;
    }
    try {
      client.connect(options(), null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          connectAttempts.set(0);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          long delay = Math.min(settings.reconnectMaxDelay().toMillis(), settings.reconnectMinDelay().toMillis() << Math.min(connectAttempts.getAndIncrement(), 10));
          LOG.warn("gateway {} cannot reach the broker at {} ({}); retrying in {} ms", clientId, broker.url(), failure.getMessage(), delay);
          scheduler.schedule(SubscriberConnection.this::connect, delay, TimeUnit.MILLISECONDS);
        }
      });
    } catch (MqttException e) {
      LOG.warn("gateway {} cannot connect: {}", clientId, e.toString());
      scheduler.schedule(this::connect, settings.reconnectMaxDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {
    LOG.info("gateway {} {} to {}", clientId, reconnect ? "reconnected" : "connected", serverUri);
    subscribe();
  }

  private void subscribe() {
    try {
      client.subscribe(
          new MqttSubscription[] {new MqttSubscription(filter, 1)}, null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              int[] codes = token.getReasonCodes();
              if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                onFailure(token, new IllegalStateException("broker refused the subscription, reason code " + codes[0]));
                return;
              }
              subscribed = true;
              LOG.info("gateway {} subscribed to {}", clientId, filter);
              leaveShareGroup();
              firstSubscription.complete(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
              LOG.error("gateway {} could not subscribe to {}: {}", clientId, filter, failure.toString());
              firstSubscription.completeExceptionally(failure);
            }
          },
          new MqttProperties());
    } catch (MqttException e) {
      firstSubscription.completeExceptionally(e);
    }
  }

  /**
   * An exclusive subscriber's session may still hold the shared subscription of an earlier run
   * with the same client id; left in it, this connection would get a share of the messages twice.
   * Unsubscribing a filter the session does not hold is answered "no subscription existed".
   */
  private void leaveShareGroup() {
    if (leave == null) {
      return;
    }
    try {
      client.unsubscribe(leave);
    } catch (MqttException e) {
      LOG.debug("gateway {} could not leave {}: {}", clientId, leave, e.toString());
    }
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    if (paused) {
      // Draining for shutdown: left unacknowledged, the message is redelivered to a live gateway.
      return;
    }
    long messageEpoch = epoch.get();
    int id = message.getId();
    int qos = message.getQos();
    pipeline.onMessage(topic, message.getPayload(), () -> acknowledge(messageEpoch, id, qos), this::publish);
  }

  private boolean acknowledge(long messageEpoch, int id, int qos) {
    if (qos == 0) {
      return true;
    }
    MqttAsyncClient current = client;
    if (epoch.get() != messageEpoch || current == null || !current.isConnected()) {
      return false;
    }
    try {
      current.messageArrivedComplete(id, qos);
      return true;
    } catch (MqttException e) {
      LOG.debug("gateway {} could not acknowledge message {}: {}", clientId, id, e.toString());
      return false;
    }
  }

  CompletionStage<Void> publish(String topic, byte[] payload, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    MqttAsyncClient current = client;
    if (current == null || !current.isConnected()) {
      done.completeExceptionally(new IllegalStateException("gateway " + clientId + " is not connected"));
      return done;
    }
    try {
      current.publish(topic, payload, qos, false, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          done.complete(null);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          done.completeExceptionally(failure);
        }
      });
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {
    epoch.incrementAndGet();
    subscribed = false;
    if (!closing) {
      LOG.warn("gateway {} lost its broker connection ({}); reconnecting", clientId, response);
    }
  }

  @Override
  public void mqttErrorOccurred(MqttException exception) {
    LOG.warn("gateway {} MQTT error: {}", clientId, exception.toString());
  }

  @Override
  public void deliveryComplete(IMqttToken token) {
    // Dead-letter publishes complete through their own listeners.
  }

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {
    // No enhanced authentication.
  }

  boolean isSubscribed() {
    return subscribed && client != null && client.isConnected();
  }

  /** Marks the connection as draining; readiness drops so no new gateway work is routed here. */
  void pause() {
    paused = true;
    subscribed = false;
  }

  void close() {
    closing = true;
    epoch.incrementAndGet();
    MqttAsyncClient current = client;
    if (current == null) {
      return;
    }
    try {
      if (current.isConnected()) {
        current.disconnect(settings.drainTimeout().toMillis()).waitForCompletion(settings.drainTimeout().toMillis());
      }
    } catch (MqttException e) {
      LOG.debug("gateway {} disconnect: {}", clientId, e.toString());
    }
    try {
      current.close(true);
    } catch (MqttException e) {
      LOG.debug("gateway {} close: {}", clientId, e.toString());
    }
    LOG.info("gateway {} disconnected{}", clientId, paused ? " after draining" : "");
  }
}
