package io.fleetpulse.control.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.serving.ModelDecision;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model entity's decisions and events; the test kit also serialises every command, event, reply and state. */
class ModelEntityTest {

  private static final ActorTestKit TEST_KIT = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T09:00:00Z"), ZoneOffset.UTC);

  private final List<ModelDecision> published = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<ModelEntity.Command, ModelEntity.Event, ModelEntity.State> entity;

  @BeforeEach
  void start() {
    entity = EventSourcedBehaviorTestKit.create(TEST_KIT.system(), ModelEntity.create("rul", CLOCK, published::add));
    entity.clear();
  }

  @AfterAll
  static void stop() {
    TEST_KIT.shutdownTestKit();
  }

  @Test
  void a_model_nobody_decided_on_has_revision_zero_and_no_active_version() {
    ModelDecision decision = decided(entity.<ModelReply>runCommand(ModelEntity.Get::new));

    assertThat(decision).isEqualTo(ModelDecision.none("rul"));
    assertThat(published).isEmpty();
  }

  @Test
  void a_first_promote_remembers_what_the_node_served_so_a_rollback_returns_to_it() {
    CommandResultWithReply<ModelEntity.Command, ModelEntity.Event, ModelEntity.State, ModelReply> promoted =
        entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", "1", "node-a", replyTo));

    assertThat(promoted.event()).isEqualTo(new ModelEntity.Promoted("2", "1", "node-a", CLOCK.millis()));
    ModelDecision decision = decided(promoted);
    assertThat(decision.active()).isEqualTo("2");
    assertThat(decision.rollback()).containsExactly("1");
    assertThat(decision.loaded()).containsExactly("2");
    assertThat(decision.revision()).isEqualTo(1);
    assertThat(published).containsExactly(decision);

    ModelDecision rolledBack = decided(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Rollback("1", "node-b", replyTo)));
    assertThat(rolledBack.active()).isEqualTo("1");
    assertThat(rolledBack.rollback()).isEmpty();
    assertThat(refused(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Rollback(null, "node-b", replyTo))))
        .isEqualTo("model rul has no earlier version to roll back to");
  }

  @Test
  void promoting_the_active_version_again_writes_nothing() {
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", "1", "node-a", replyTo));

    CommandResultWithReply<ModelEntity.Command, ModelEntity.Event, ModelEntity.State, ModelReply> again =
        entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", "1", "node-b", replyTo));

    assertThat(again.hasNoEvents()).isTrue();
    assertThat(decided(again).revision()).isEqualTo(1);
  }

  @Test
  void the_shadow_is_never_the_active_version_and_ends_when_it_is_promoted() {
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", null, "node-a", replyTo));
    assertThat(refused(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Shadow("2", "node-a", replyTo))))
        .contains("is the active one");

    assertThat(decided(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Shadow("3", "node-a", replyTo))).shadow())
        .isEqualTo("3");
    ModelDecision promoted = decided(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("3", null, "node-a", replyTo)));
    assertThat(promoted.active()).isEqualTo("3");
    assertThat(promoted.shadow()).isNull();
    assertThat(promoted.rollback()).containsExactly("2");
    assertThat(promoted.loaded()).containsExactly("2", "3");

    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Shadow("2", "node-a", replyTo));
    CommandResultWithReply<ModelEntity.Command, ModelEntity.Event, ModelEntity.State, ModelReply> stopped =
        entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Shadow(null, "node-b", replyTo));
    assertThat(stopped.event()).isEqualTo(new ModelEntity.ShadowStopped("2", "node-b", CLOCK.millis()));
    assertThat(decided(stopped).shadow()).isNull();
  }

  @Test
  void a_rollback_prepared_for_another_version_than_the_one_due_is_refused() {
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", "1", "node-a", replyTo));
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("3", null, "node-b", replyTo));

    String refusal = refused(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Rollback("1", "node-a", replyTo)));

    assertThat(refusal).contains("now rolls back to version 2, not 1");
    assertThat(decided(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Rollback("2", "node-a", replyTo))).active())
        .isEqualTo("2");
  }

  @Test
  void loading_a_version_holds_it_ready_everywhere_and_once() {
    ModelDecision loaded = decided(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Load("4", "node-a", replyTo)));
    assertThat(loaded.loaded()).containsExactly("4");
    assertThat(loaded.active()).as("loading serves nothing new").isNull();

    assertThat(entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Load("4", "node-b", replyTo)).hasNoEvents()).isTrue();
  }

  @Test
  void a_restarted_entity_recovers_its_decision_and_publishes_it_again() {
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Promote("2", "1", "node-a", replyTo));
    entity.<ModelReply>runCommand(replyTo -> new ModelEntity.Shadow("3", "node-a", replyTo));
    published.clear();

    entity.restart();

    ModelDecision recovered = decided(entity.<ModelReply>runCommand(ModelEntity.Get::new));
    assertThat(recovered.active()).isEqualTo("2");
    assertThat(recovered.shadow()).isEqualTo("3");
    assertThat(recovered.revision()).isEqualTo(2);
    assertThat(published).containsExactly(recovered);
  }

  private static ModelDecision decided(
      CommandResultWithReply<ModelEntity.Command, ModelEntity.Event, ModelEntity.State, ModelReply> result) {
    assertThat(result.reply()).isInstanceOf(ModelReply.Decided.class);
    return ((ModelReply.Decided) result.reply()).decision();
  }

  private static String refused(
      CommandResultWithReply<ModelEntity.Command, ModelEntity.Event, ModelEntity.State, ModelReply> result) {
    assertThat(result.reply()).isInstanceOf(ModelReply.Refused.class);
    assertThat(result.hasNoEvents()).isTrue();
    ModelReply.Refused refused = (ModelReply.Refused) result.reply();
    assertThat(refused.code()).isEqualTo(ErrorCode.MODEL_REFUSED);
    return refused.message();
  }
}
