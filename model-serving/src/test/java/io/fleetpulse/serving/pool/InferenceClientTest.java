package io.fleetpulse.serving.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client finds pools through the receptionist and, when one does not answer (its node left,
 * or it is wedged), asks another; with none answering it says so instead of losing the request.
 */
class InferenceClientTest {

  private final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.load());

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  /** A pool that registers and then never answers: a node that is gone. */
  private static Behavior<InferencePool.Command> silentPool(AtomicInteger received) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(InferencePool.SERVICE_KEY, context.getSelf()));
      return Behaviors.receiveMessage(message -> {
        received.incrementAndGet();
        return Behaviors.same();
      });
    });
  }

  /** A pool that answers every request with a prediction from version "live". */
  private static Behavior<InferencePool.Command> livePool(AtomicInteger received) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(InferencePool.SERVICE_KEY, context.getSelf()));
      return Behaviors.receiveMessage(message -> {
        received.incrementAndGet();
        if (message instanceof InferencePool.Infer infer) {
          infer.replyTo().tell(new InferenceReply.Prediction(infer.model(), "live", new float[] {1f}, 0, 1));
        }
        return Behaviors.same();
      });
    });
  }

  @Test
  void a_request_the_silent_pool_got_is_unavailable_and_the_next_goes_to_another_pool() {
    AtomicInteger silent = new AtomicInteger();
    AtomicInteger live = new AtomicInteger();
    testKit.spawn(silentPool(silent));
    testKit.spawn(livePool(live));
    awaitPools(2);
    InferenceClient client = new InferenceClient(testKit.system(), Duration.ofMillis(300));

    List<InferenceReply> replies = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      replies.add(client.infer("m", Lane.EMBB, new float[] {0f}).toCompletableFuture().join());
    }
    assertThat(silent.get() + live.get()).as("one ask per request").isEqualTo(6);
    assertThat(silent.get()).as("round robin sent some requests to the silent pool").isPositive();
    assertThat(replies.stream().filter(InferenceReply.Prediction.class::isInstance).count()).isEqualTo(live.get());
    assertThat(replies.stream().filter(reply -> reply instanceof InferenceReply.Failed failed && failed.poolUnavailable())
        .count()).isEqualTo(silent.get());
  }

  @Test
  void answers_pool_unavailable_when_no_pool_answers() {
    AtomicInteger silent = new AtomicInteger();
    testKit.spawn(silentPool(silent));
    awaitPools(1);
    InferenceClient client = new InferenceClient(testKit.system(), Duration.ofMillis(200));

    InferenceReply reply = client.infer("m", Lane.URLLC, new float[] {0f}).toCompletableFuture().join();

    assertThat(reply).isInstanceOf(InferenceReply.Failed.class);
    assertThat(((InferenceReply.Failed) reply).code()).isEqualTo("pool.unavailable");
    assertThat(silent.get()).as("asked once").isEqualTo(1);
  }

  private void awaitPools(int count) {
    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    listings.awaitAssert(Duration.ofSeconds(5), () -> {
      testKit.system().receptionist().tell(Receptionist.find(InferencePool.SERVICE_KEY, listings.getRef()));
      assertThat(listings.receiveMessage().getServiceInstances(InferencePool.SERVICE_KEY)).hasSize(count);
      return null;
    });
  }
}
