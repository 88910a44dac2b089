package io.fleetpulse.node.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertSeverity;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AlertFeedTest {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private static AlertChange change(int n) {
    return new AlertChange(Alert.raised(new UUID(0, n), "rm-" + n, "plant-a", "overheat", AlertSeverity.MAJOR, "hot",
        n, 90, 1), null);
  }

  @Test
  void a_client_resumes_after_the_last_change_it_saw() {
    AlertFeed feed = new AlertFeed(10, JSON);
    String start = feed.head();
    AlertFeed.Entry first = feed.append(change(1));
    feed.append(change(2));
    feed.append(change(3));

    assertThat(feed.since(start, 100).entries()).extracting(entry -> entry.change().alert().deviceId())
        .containsExactly("rm-1", "rm-2", "rm-3");
    assertThat(feed.since(feed.position(first), 100).entries()).extracting(AlertFeed.Entry::number).containsExactly(2L, 3L);
    assertThat(feed.since(feed.position(first), 1).entries()).extracting(AlertFeed.Entry::number).containsExactly(2L);
    assertThat(feed.since(feed.head(), 100).entries()).isEmpty();
    assertThat(feed.since(feed.head(), 100).reload()).isFalse();
    assertThat(first.json()).as("rendered once, for every stream").contains("\"deviceId\":\"rm-1\"");
  }

  @Test
  void a_client_too_far_behind_or_from_another_node_is_told_to_reload() {
    AlertFeed feed = new AlertFeed(2, JSON);
    String start = feed.head();
    feed.append(change(1));
    feed.append(change(2));
    assertThat(feed.since(start, 100).reload()).as("nothing lost yet").isFalse();
    feed.append(change(3));

    assertThat(feed.since(start, 100).reload()).as("change 1 left the buffer").isTrue();
    assertThat(feed.since(new AlertFeed(2, JSON).head(), 100).reload()).as("another incarnation").isTrue();
    assertThat(feed.since("garbage", 100).reload()).isTrue();
    assertThat(feed.since(null, 100).reload()).isTrue();
  }
}
