package io.fleetpulse.node.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers every stored alert change: saves through the wrapped store first, then publishes the
 * change as JSON to {@code fleet/{site}/alerts} over the gateway's broker connection (QoS 1, once,
 * by the node where it happened) and to the cluster's {@code fleet-alerts} topic, whose subscriber
 * on every node appends it to that node's {@link AlertFeed} for the live streams. A change that
 * could not be stored is not published. Counts published and failed MQTT publishes
 * ({@code fleetpulse_alerts_published_total}, {@code fleetpulse_alerts_publish_failed_total}).
 */
public final class AlertDelivery implements AlertStore {

  private static final Logger LOG = LoggerFactory.getLogger(AlertDelivery.class);

  /** Publishes over MQTT; the node passes its gateway's. */
  @FunctionalInterface
  public interface Publisher {
    CompletionStage<Void> publish(String topic, byte[] payload, int qos);
  }

  private final AlertStore store;
  private final ObjectMapper json;
  private final ActorRef<Topic.Command<AlertChange>> topic;
  private volatile Publisher publisher;
  private final int qos;
  private final Counter published;
  private final Counter failed;

  private AlertDelivery(
      AlertStore store, ObjectMapper json, ActorRef<Topic.Command<AlertChange>> topic, int qos, MeterRegistry meters) {
    this.store = store;
    this.json = json;
    this.topic = topic;
    this.qos = qos;
    this.published = Counter.builder("fleetpulse.alerts.published")
        .description("alert changes published to fleet/{site}/alerts").register(meters);
    this.failed = Counter.builder("fleetpulse.alerts.publish.failed")
        .description("alert changes the broker did not take").register(meters);
  }

  /**
   * Starts the cluster topic and this node's subscriber, which appends to {@code feed}. MQTT
   * publishing starts once {@link #publishWith} is given the gateway (it starts after the devices).
   */
  public static AlertDelivery start(
      ActorSystem<?> system, AlertStore store, AlertFeed feed, ObjectMapper json, int qos, MeterRegistry meters) {
    ActorRef<Topic.Command<AlertChange>> topic =
        system.systemActorOf(Topic.create(AlertChange.class, "fleet-alerts"), "fleet-alerts-topic",
            org.apache.pekko.actor.typed.Props.empty());
    ActorRef<AlertChange> subscriber = system.systemActorOf(feedWriter(feed), "fleet-alerts-feed",
        org.apache.pekko.actor.typed.Props.empty());
    topic.tell(Topic.subscribe(subscriber));
    return new AlertDelivery(store, json, topic, qos, meters);
  }

  private static Behavior<AlertChange> feedWriter(AlertFeed feed) {
    return Behaviors.receiveMessage(change -> {
      feed.append(change);
      return Behaviors.same();
    });
  }

  public void publishWith(Publisher mqtt) {
    this.publisher = mqtt;
  }

  @Override
  public CompletionStage<List<Alert>> open(String deviceId) {
    return store.open(deviceId);
  }

  @Override
  public CompletionStage<Void> save(AlertChange change) {
    return store.save(change).thenRun(() -> {
      topic.tell(Topic.publish(change));
      Publisher mqtt = publisher;
      if (mqtt != null) {
        mqtt.publish(topicOf(change.alert()), payload(change), qos).whenComplete((done, failure) -> {
          if (failure == null) {
            published.increment();
          } else {
            failed.increment();
            LOG.debug("alert {} not published: {}", change.alert().alertId(), failure.toString());
          }
        });
      }
    });
  }

  static String topicOf(Alert alert) {
    return "fleet/" + alert.site() + "/alerts";
  }

  private byte[] payload(AlertChange change) {
    try {
      return json.writeValueAsBytes(change);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render alert " + change.alert().alertId(), e);
    }
  }
}
