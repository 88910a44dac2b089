package io.fleetpulse.node.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.alert.Alert;
import io.fleetpulse.api.alert.AlertChange;
import io.fleetpulse.api.alert.AlertSeverity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A live stream follows the feed by being woken, not by polling: an append reaches a waiting
 * stream, a stream behind reads batch after batch without waiting for the next append, and an
 * idle stream does not read at all.
 */
class AlertFeedSourceTest {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
  /** How long a test waits for something that must happen; never a bound on how fast. */
  private static final long PATIENCE_SECONDS = 10;
  /** Ten of the former poll interval (100 ms): a poll, or a busy loop, would read meanwhile. */
  private static final Duration IDLE = Duration.ofSeconds(1);

  private static ActorTestKit testKit;
  private static Materializer materializer;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("AlertFeedSourceTest", ConfigFactory.parseString("""
        pekko.actor.provider = local
        pekko.fail-mixed-versions = off
        """).withFallback(ConfigFactory.defaultReference()).resolve());
    materializer = Materializer.matFromSystem(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static AlertChange change(int n) {
    return new AlertChange(Alert.raised(new UUID(0, n), "rm-" + n, "plant-a", "overheat", AlertSeverity.MAJOR, "hot",
        n, 90, 1), null);
  }

  /** The feed, counting what streams ask of it. */
  private static final class CountingFeed implements AlertFeedSource.Feed {
    final AlertFeed feed = new AlertFeed(100, JSON);
    final AtomicInteger reads = new AtomicInteger();

    @Override
    public AlertFeed.Since since(String position, int max) {
      reads.incrementAndGet();
      return feed.since(position, max);
    }

    @Override
    public AlertFeed.Subscription subscribe(Runnable listener) {
      return feed.subscribe(listener);
    }
  }

  private static AlertFeed.Since next(SinkQueueWithCancel<AlertFeed.Since> stream) throws Exception {
    return next(stream.pull());
  }

  private static AlertFeed.Since next(java.util.concurrent.CompletionStage<Optional<AlertFeed.Since>> pulled)
      throws Exception {
    return pulled.toCompletableFuture().get(PATIENCE_SECONDS, TimeUnit.SECONDS).orElseThrow();
  }

  private static List<Long> numbers(AlertFeed.Since since) {
    return since.entries().stream().map(AlertFeed.Entry::number).toList();
  }

  @Test
  void a_change_appended_after_the_stream_started_reaches_it() throws Exception {
    AlertFeed feed = new AlertFeed(10, JSON);
    SinkQueueWithCancel<AlertFeed.Since> stream =
        AlertFeedSource.follow(feed, feed.head(), 10).runWith(Sink.queue(1), materializer);
    CompletableFuture<Optional<AlertFeed.Since>> waiting = stream.pull().toCompletableFuture();

    feed.append(change(1));

    AlertFeed.Since first = next(waiting);
    assertThat(first.reload()).isFalse();
    assertThat(first.entries()).extracting(entry -> entry.change().alert().deviceId()).containsExactly("rm-1");
    assertThat(first.position()).isEqualTo(feed.head());
    feed.append(change(2));
    feed.append(change(3));
    List<Long> later = new ArrayList<>(numbers(next(stream)));
    if (later.size() < 2) {
      later.addAll(numbers(next(stream))); // the wake-up came between the two appends
    }
    assertThat(later).containsExactly(2L, 3L);
    stream.cancel();
  }

  @Test
  void an_idle_stream_does_not_read_until_something_is_appended() throws Exception {
    CountingFeed counting = new CountingFeed();
    SinkQueueWithCancel<AlertFeed.Since> stream =
        AlertFeedSource.follow(counting, counting.feed.head(), 10).runWith(Sink.queue(1), materializer);
    CompletableFuture<Optional<AlertFeed.Since>> waiting = stream.pull().toCompletableFuture();
    awaitReads(counting, 1);

    Thread.sleep(IDLE.toMillis());
    assertThat(waiting).isNotDone();
    assertThat(counting.reads).as("reads while nothing was appended: the first one only").hasValue(1);

    counting.feed.append(change(1));
    assertThat(numbers(next(waiting))).containsExactly(1L);
    Thread.sleep(IDLE.toMillis());
    assertThat(counting.reads.get()).as("the first read, the woken one, the next pull's; none while idle")
        .isLessThanOrEqualTo(3);
    stream.cancel();
  }

  @Test
  void a_stream_behind_reads_batch_after_batch_without_waiting_for_an_append() throws Exception {
    AlertFeed feed = new AlertFeed(10, JSON);
    String start = feed.head();
    for (int n = 1; n <= 5; n++) {
      feed.append(change(n));
    }

    SinkQueueWithCancel<AlertFeed.Since> stream = AlertFeedSource.follow(feed, start, 2).runWith(Sink.queue(1), materializer);

    assertThat(numbers(next(stream))).containsExactly(1L, 2L);
    assertThat(numbers(next(stream))).containsExactly(3L, 4L);
    assertThat(numbers(next(stream))).containsExactly(5L);
    stream.cancel();
  }

  @Test
  void a_position_it_cannot_resume_gets_a_reload_then_the_changes_after_the_head() throws Exception {
    AlertFeed feed = new AlertFeed(10, JSON);
    feed.append(change(1));
    SinkQueueWithCancel<AlertFeed.Since> stream =
        AlertFeedSource.follow(feed, "0badc0de.42", 10).runWith(Sink.queue(1), materializer);

    AlertFeed.Since reload = next(stream);
    assertThat(reload.reload()).isTrue();
    assertThat(reload.position()).isEqualTo(feed.head());
    feed.append(change(2));
    assertThat(numbers(next(stream))).containsExactly(2L);
    stream.cancel();
  }

  @Test
  void a_stream_that_ends_stops_listening() throws Exception {
    AlertFeed feed = new AlertFeed(10, JSON);
    SinkQueueWithCancel<AlertFeed.Since> stream =
        AlertFeedSource.follow(feed, feed.head(), 10).runWith(Sink.queue(1), materializer);
    CompletableFuture<Optional<AlertFeed.Since>> waiting = stream.pull().toCompletableFuture();
    feed.append(change(1));
    next(waiting);
    assertThat(feed.subscribers()).isEqualTo(1);

    stream.cancel();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    while (feed.subscribers() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(feed.subscribers()).isZero();
    feed.append(change(2)); // no listener left to wake
  }

  private static void awaitReads(CountingFeed counting, int reads) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PATIENCE_SECONDS);
    while (counting.reads.get() < reads && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(counting.reads.get()).isGreaterThanOrEqualTo(reads);
  }
}
