package io.fleetpulse.serving.pool;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ModelDecision;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelMetadata;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.fleetpulse.serving.registry.ModelStatus;
import io.fleetpulse.serving.registry.ModelUse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InferencePoolTest {

  private static final int VALUES = 12; // window 4 x 3 features of the test models

  @TempDir
  Path registryDirectory;

  private ActorTestKit testKit;
  private SimpleMeterRegistry meters;
  private ModelRegistry registry;

  @AfterEach
  void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private ActorRef<InferencePool.Command> startPool(String overrides, String... models) {
    return startPool(overrides, metadata -> List.of(), models);
  }

  private ActorRef<InferencePool.Command> startPool(
      String overrides, Function<ModelMetadata, List<String>> admission, String... models) {
    return startPool(overrides, admission, List.of(), models);
  }

  private ActorRef<InferencePool.Command> startPool(String overrides, Function<ModelMetadata, List<String>> admission,
      List<ModelDecision> decisions, String... models) {
    for (String model : models) {
      copy(Path.of("src/test/resources/models").resolve(model), registryDirectory.resolve(model));
    }
    Config config = ConfigFactory.parseString(overrides).withFallback(ConfigFactory.load());
    testKit = ActorTestKit.create("pool", config);
    ServingSettings settings = ServingSettings.fromConfig(config);
    registry = new ModelRegistry(registryDirectory, settings.execution(), admission);
    assertThat(registry.loadAll()).isEmpty();
    meters = new SimpleMeterRegistry();
    return testKit.spawn(InferencePool.create(settings, registry, meters, decisions), "pool", InferencePool.props());
  }

  @Test
  void batched_predictions_equal_single_request_runs() throws Exception {
    ActorRef<InferencePool.Command> pool = startPool(
        "fleetpulse.serving.lanes.embb { max-batch-size = 32, max-queue-delay = 50ms, deadline = 2s, queue-capacity = 1000 }",
        "scorer/1");
    TestProbe<InferenceReply> probe = testKit.createTestProbe();
    List<float[]> inputs = randomInputs(96, 7);
    inputs.forEach(values -> pool.tell(new InferencePool.Infer("scorer", Lane.EMBB, values, probe.getRef())));

    List<InferenceReply.Prediction> predictions = new ArrayList<>();
    for (int i = 0; i < inputs.size(); i++) {
      predictions.add((InferenceReply.Prediction) probe.receiveMessage(Duration.ofSeconds(5)));
    }
    assertThat(predictions).allSatisfy(p -> assertThat(p.version()).isEqualTo("1"));
    assertThat(predictions).anySatisfy(p -> assertThat(p.batchSize()).isGreaterThan(1));
    assertThat(predictions).allSatisfy(p -> assertThat(p.batchSize()).isLessThanOrEqualTo(32));

    // Replies to one probe arrive batch by batch in request order, so reply i answers input i.
    LoadedModel direct = registry.loadVersion("scorer", "1");
    for (int i = 0; i < inputs.size(); i++) {
      float[] single = direct.run(inputs.get(i), 1)[0];
      assertThat(predictions.get(i).outputs()).containsExactly(single, org.assertj.core.data.Offset.offset(1e-6f));
    }
    assertThat(meters.find("fleetpulse.inference.batch.size").tag("model", "scorer").summary().count()).isPositive();
    assertThat(meters.find("fleetpulse.inference.queue.wait").tag("lane", "embb").timer().count()).isEqualTo(96);
  }

  @Test
  void answers_overloaded_when_a_lane_queue_is_full_and_every_request_exactly_once() {
    ActorRef<InferencePool.Command> pool = startPool(
        "fleetpulse.serving.lanes.mmtc { max-batch-size = 16, max-queue-delay = 1s, deadline = 5s, queue-capacity = 16 }",
        "scorer/1");
    TestProbe<InferenceReply> probe = testKit.createTestProbe();
    int total = 3000;
    float[] values = randomInputs(1, 1).get(0);
    for (int i = 0; i < total; i++) {
      pool.tell(new InferencePool.Infer("scorer", Lane.MMTC, values, probe.getRef()));
    }
    int predictions = 0;
    int overloaded = 0;
    for (int i = 0; i < total; i++) {
      InferenceReply reply = probe.receiveMessage(Duration.ofSeconds(10));
      if (reply instanceof InferenceReply.Prediction) {
        predictions++;
      } else if (reply instanceof InferenceReply.Overloaded o) {
        assertThat(o.lane()).isEqualTo(Lane.MMTC);
        assertThat(o.queued()).isEqualTo(16);
        overloaded++;
      }
    }
    probe.expectNoMessage(Duration.ofMillis(200));
    assertThat(overloaded).as("bounded queue refused part of the flood").isPositive();
    assertThat(predictions + overloaded).isEqualTo(total);
    assertThat(meters.find("fleetpulse.inference.rejected").tag("reason", "overloaded").counter().count()).isEqualTo(overloaded);
  }

  @Test
  void answers_expired_instead_of_running_a_request_past_its_deadline() {
    // Delay equal to the deadline: when the batch would leave, its requests are already due.
    ActorRef<InferencePool.Command> pool = startPool(
        "fleetpulse.serving.lanes.embb { max-batch-size = 100, max-queue-delay = 50ms, deadline = 50ms, queue-capacity = 100 }",
        "scorer/1");
    TestProbe<InferenceReply> probe = testKit.createTestProbe();
    for (float[] values : randomInputs(5, 3)) {
      pool.tell(new InferencePool.Infer("scorer", Lane.EMBB, values, probe.getRef()));
    }
    for (int i = 0; i < 5; i++) {
      InferenceReply reply = probe.receiveMessage(Duration.ofSeconds(2));
      assertThat(reply).isInstanceOf(InferenceReply.Expired.class);
      assertThat(((InferenceReply.Expired) reply).waitedMillis()).isGreaterThanOrEqualTo(50);
    }
    assertThat(meters.find("fleetpulse.inference.run").timer()).as("nothing ran").isNull();
  }

  @Test
  void urllc_requests_are_served_in_small_batches_during_an_mmtc_flood() {
    // The contract through the real pool: urgent requests sent among a flood of 20,000 are all
    // answered with predictions, each in a batch of its own lane (at most 8), none refused or
    // expired. Their deadline is 10 s, which only a stalled pool misses: how fast they overtake
    // the flood is the pool benchmark's measurement (pool-benchmark.sh), not a test's, and the
    // order of the lanes is BatchSchedulerTest's.
    ActorRef<InferencePool.Command> pool = startPool("fleetpulse.serving.lanes.urllc.deadline = 10s", "scorer/1");
    TestProbe<InferenceReply> flood = testKit.createTestProbe();
    TestProbe<InferenceReply> urgent = testKit.createTestProbe();
    float[] values = randomInputs(1, 5).get(0);
    int floodSize = 20_000;
    int urgentCount = 0;
    for (int i = 0; i < floodSize; i++) {
      pool.tell(new InferencePool.Infer("scorer", Lane.MMTC, values, flood.getRef()));
      if (i % 500 == 0) {
        pool.tell(new InferencePool.Infer("scorer", Lane.URLLC, values, urgent.getRef()));
        urgentCount++;
      }
    }
    for (int i = 0; i < urgentCount; i++) {
      InferenceReply reply = urgent.receiveMessage(Duration.ofSeconds(30));
      assertThat(reply).as("urgent request %d", i).isInstanceOf(InferenceReply.Prediction.class);
      assertThat(((InferenceReply.Prediction) reply).batchSize()).isLessThanOrEqualTo(8);
    }
    flood.receiveSeveralMessages(floodSize, Duration.ofSeconds(30));
  }

  @Test
  void follows_the_decisions_it_is_given_loading_what_they_name_without_a_restart() throws Exception {
    ActorRef<InferencePool.Command> pool = startPool("", "scorer/1");
    copy(Path.of("src/test/resources/models/scorer/2"), registryDirectory.resolve("scorer/2"));
    TestProbe<StatusReply<ModelStatus>> admin = testKit.createTestProbe();
    TestProbe<InferenceReply> probe = testKit.createTestProbe();
    float[] values = randomInputs(1, 11).get(0);

    pool.tell(new InferencePool.Prepare("scorer", "2", ModelUse.SHADOW, admin.getRef()));
    ModelStatus prepared = admin.receiveMessage(Duration.ofSeconds(10)).getValue();
    assertThat(prepared.activeVersion()).as("preparing serves nothing new").isEqualTo("1");
    assertThat(prepared.loadedVersions()).containsExactly("1", "2");

    pool.tell(new InferencePool.Follow(decision(1, "1", "2")));
    assertThat(status(pool).shadowVersion()).isEqualTo("2");
    pool.tell(new InferencePool.Infer("scorer", Lane.URLLC, values, probe.getRef()));
    assertThat(((InferenceReply.Prediction) probe.receiveMessage(Duration.ofSeconds(5))).version()).isEqualTo("1");
    assertThat(meters.find("fleetpulse.inference.shadow.difference").tag("version", "2").summary().count())
        .as("the shadow ran and was recorded").isEqualTo(1);

    pool.tell(new InferencePool.Follow(decision(2, "2", null)));
    ModelStatus promoted = status(pool);
    assertThat(promoted.activeVersion()).isEqualTo("2");
    assertThat(promoted.shadowVersion()).isNull();
    assertThat(promoted.decidedRevision()).isEqualTo(2);
    pool.tell(new InferencePool.Infer("scorer", Lane.URLLC, values, probe.getRef()));
    InferenceReply.Prediction fromTwo = (InferenceReply.Prediction) probe.receiveMessage(Duration.ofSeconds(5));
    assertThat(fromTwo.version()).isEqualTo("2");
    assertThat(fromTwo.outputs()).containsExactly(registry.loadVersion("scorer", "2").run(values, 1)[0]);

    pool.tell(new InferencePool.Follow(decision(1, "1", "2")));
    assertThat(status(pool).activeVersion()).as("an older decision arriving late changes nothing").isEqualTo("2");
    pool.tell(new InferencePool.Follow(decision(3, "1", null)));
    assertThat(status(pool).activeVersion()).as("a rollback is a newer decision").isEqualTo("1");
  }

  @Test
  void a_decision_naming_a_version_not_loaded_loads_it_first_and_one_that_cannot_load_is_listed() {
    ActorRef<InferencePool.Command> pool = startPool("", "scorer/1");
    copy(Path.of("src/test/resources/models/scorer/2"), registryDirectory.resolve("scorer/2"));
    pool.tell(new InferencePool.Follow(decision(4, "2", null)));
    TestProbe<InferenceReply> probe = testKit.createTestProbe();
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(status(pool).activeVersion()).isEqualTo("2");
      return null;
    });

    pool.tell(new InferencePool.Follow(decision(5, "7", null)));
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(status(pool).notFollowing()).contains("model scorer version 7");
      return null;
    });
    assertThat(meters.find("fleetpulse.inference.decisions.not.followed").counter().count()).isEqualTo(1);
    pool.tell(new InferencePool.Infer("scorer", Lane.EMBB, randomInputs(1, 3).get(0), probe.getRef()));
    assertThat(((InferenceReply.Prediction) probe.receiveMessage(Duration.ofSeconds(5))).version())
        .as("what it cannot follow leaves it serving what it served").isEqualTo("2");
  }

  @Test
  void a_pool_started_with_decisions_registers_only_once_it_follows_them() {
    ActorRef<InferencePool.Command> pool =
        startPool("", metadata -> List.of(), List.of(decision(3, "1", "2")), "scorer/1", "scorer/2");
    TestProbe<org.apache.pekko.actor.typed.receptionist.Receptionist.Listing> listing = testKit.createTestProbe();
    testKit.system().receptionist().tell(org.apache.pekko.actor.typed.receptionist.Receptionist.subscribe(
        InferencePool.SERVICE_KEY, listing.getRef()));
    listing.fishForMessage(Duration.ofSeconds(10),
        l -> l.getServiceInstances(InferencePool.SERVICE_KEY).contains(pool) ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
    ModelStatus status = status(pool);
    assertThat(status.activeVersion()).as("the decision, not the highest version").isEqualTo("1");
    assertThat(status.shadowVersion()).isEqualTo("2");
  }

  private static ModelDecision decision(long revision, String active, String shadow) {
    return new ModelDecision("scorer", active, shadow, List.of(), List.of(), revision, 0);
  }

  private ModelStatus status(ActorRef<InferencePool.Command> pool) {
    TestProbe<InferencePool.ModelList> list = testKit.createTestProbe();
    pool.tell(new InferencePool.ListModels(list.getRef()));
    return list.receiveMessage(Duration.ofSeconds(5)).models().stream().filter(m -> m.name().equals("scorer"))
        .findFirst().orElseThrow();
  }

  @Test
  void a_first_version_the_registry_does_not_admit_is_loaded_but_never_served() {
    ActorRef<InferencePool.Command> pool = startPool(
        "", metadata -> metadata.name().equals("other") ? List.of("no profile feeds it") : List.of(), "scorer/1");
    copy(Path.of("src/test/resources/models/other/1"), registryDirectory.resolve("other/1"));
    TestProbe<StatusReply<ModelStatus>> admin = testKit.createTestProbe();
    TestProbe<InferenceReply> probe = testKit.createTestProbe();

    pool.tell(new InferencePool.Prepare("other", "1", ModelUse.SERVE, admin.getRef()));
    StatusReply<ModelStatus> refused = admin.receiveMessage(Duration.ofSeconds(10));
    assertThat(refused.isError()).isTrue();
    assertThat(refused.getError().getMessage()).isEqualTo("version 1 of other cannot be served: no profile feeds it");

    TestProbe<InferencePool.ModelList> list = testKit.createTestProbe();
    pool.tell(new InferencePool.ListModels(list.getRef()));
    assertThat(list.receiveMessage().models()).filteredOn(m -> m.name().equals("other")).singleElement()
        .satisfies(m -> {
          assertThat(m.loadedVersions()).containsExactly("1");
          assertThat(m.activeVersion()).isNull();
          assertThat(m.refusedVersions()).as("why it is loaded and not served")
              .containsExactly(java.util.Map.entry("1", List.of("no profile feeds it")));
        });
    pool.tell(new InferencePool.Infer("other", Lane.EMBB, new float[VALUES], probe.getRef()));
    assertThat(((InferenceReply.Failed) probe.receiveMessage()).code()).isEqualTo("model.unknown");
  }

  @Test
  void refuses_a_broken_model_while_the_active_version_keeps_serving() {
    ActorRef<InferencePool.Command> pool = startPool("", "scorer/1");
    copy(Path.of("src/test/resources/models/broken/1"), registryDirectory.resolve("broken/1"));
    Path garbage = registryDirectory.resolve("scorer/3");
    copy(Path.of("src/test/resources/models/broken/1"), garbage);
    rewrite(garbage.resolve("model.json"), "\"broken\"", "\"scorer\"", "\"1\"", "\"3\"");
    TestProbe<StatusReply<ModelStatus>> admin = testKit.createTestProbe();
    TestProbe<InferenceReply> probe = testKit.createTestProbe();

    pool.tell(new InferencePool.Prepare("scorer", "3", ModelUse.LOAD, admin.getRef()));
    StatusReply<ModelStatus> refused = admin.receiveMessage(Duration.ofSeconds(10));
    assertThat(refused.isError()).isTrue();
    assertThat(refused.getError().getMessage()).contains("model scorer version 3").contains("cannot load model.onnx");

    pool.tell(new InferencePool.Infer("scorer", Lane.EMBB, randomInputs(1, 2).get(0), probe.getRef()));
    assertThat(((InferenceReply.Prediction) probe.receiveMessage(Duration.ofSeconds(5))).version()).isEqualTo("1");
  }

  @Test
  void answers_unknown_models_and_wrong_input_sizes_with_a_code() {
    ActorRef<InferencePool.Command> pool = startPool("", "scorer/1");
    TestProbe<InferenceReply> probe = testKit.createTestProbe();

    pool.tell(new InferencePool.Infer("nope", Lane.EMBB, new float[VALUES], probe.getRef()));
    assertThat(((InferenceReply.Failed) probe.receiveMessage()).code()).isEqualTo("model.unknown");

    pool.tell(new InferencePool.Infer("scorer", Lane.EMBB, new float[VALUES + 1], probe.getRef()));
    InferenceReply.Failed failed = (InferenceReply.Failed) probe.receiveMessage();
    assertThat(failed.code()).isEqualTo("input.invalid");
    assertThat(failed.message()).contains("takes 12 values");
  }

  private static List<float[]> randomInputs(int count, long seed) {
    Random random = new Random(seed);
    List<float[]> inputs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] values = new float[VALUES];
      for (int k = 0; k < VALUES; k++) {
        values[k] = random.nextFloat() * 10 - 5;
      }
      inputs.add(values);
    }
    return inputs;
  }

  private static void copy(Path from, Path to) {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path target = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(file, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void rewrite(Path file, String... replacements) {
    try {
      String text = Files.readString(file);
      for (int i = 0; i < replacements.length; i += 2) {
        text = text.replace(replacements[i], replacements[i + 1]);
      }
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
