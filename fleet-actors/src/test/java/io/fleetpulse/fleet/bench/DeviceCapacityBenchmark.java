package io.fleetpulse.fleet.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfile;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.api.telemetry.DeviceIdentity;
import io.fleetpulse.api.telemetry.IngestOutcome;
import io.fleetpulse.api.telemetry.Sample;
import io.fleetpulse.api.telemetry.Telemetry;
import io.fleetpulse.fleet.FleetSettings;
import io.fleetpulse.fleet.device.DeviceActor;
import io.fleetpulse.fleet.device.Inference;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Heap per resident device actor: spawns {@code n} device actors of a profile (no storage, no
 * models), sends each {@code messages} telemetry messages so its aggregates, ring buffer, minute
 * roll-ups and alert rules hold data, and reports the retained heap (used heap after full
 * collections, minus the same measure before spawning) divided by {@code n}. The actors are plain
 * children of one parent, without sharding: sharding adds its own per-entity bookkeeping, which
 * the node's figure includes and this one does not (reported separately when measured).
 *
 * <p>Arguments: devices, profile (default rotating-machine), messages per device (default 20).
 * Run with fleet-actors/bench/device-capacity.sh.
 */
public final class DeviceCapacityBenchmark {

  public static void main(String[] args) throws Exception {
    int devices = Integer.parseInt(args.length > 0 ? args[0] : "100000");
    String profileName = args.length > 1 ? args[1] : "rotating-machine";
    int messages = Integer.parseInt(args.length > 2 ? args[2] : "20");
    Config config = ConfigFactory.parseString("pekko.actor.provider = local\npekko.loglevel = WARNING")
        .withFallback(ConfigFactory.load());
    DeviceProfiles profiles = DeviceProfiles.fromConfig(config);
    DeviceProfile profile = profiles.get(profileName);
    FleetSettings settings = FleetSettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "capacity", config);
    long baseline = retainedHeap();

    List<ActorRef<DeviceActor.Command>> actors = new ArrayList<>(devices);
    ActorRef<org.apache.pekko.actor.typed.SpawnProtocol.Command> parent =
        system.systemActorOf(org.apache.pekko.actor.typed.SpawnProtocol.create(), "devices",
            org.apache.pekko.actor.typed.Props.empty());
    long started = System.nanoTime();
    for (int i = 0; i < devices; i++) {
      String id = String.format(Locale.ROOT, "dev-%07d", i);
      actors.add(org.apache.pekko.actor.typed.javadsl.AskPattern.<org.apache.pekko.actor.typed.SpawnProtocol.Command,
              ActorRef<DeviceActor.Command>>ask(parent,
          replyTo -> new org.apache.pekko.actor.typed.SpawnProtocol.Spawn<>(
              DeviceActor.create(id, profiles, settings.device(), system.ignoreRef(), Clock.systemUTC(), Inference.NONE),
              id, org.apache.pekko.actor.typed.Props.empty(), replyTo),
          Duration.ofSeconds(30), system.scheduler()).toCompletableFuture().get());
    }
    long now = System.currentTimeMillis() - messages * 1000L;
    CountDownLatch answered = new CountDownLatch(devices * messages);
    ActorRef<IngestOutcome> replies = system.systemActorOf(Behaviors.receiveMessage(outcome -> {
      answered.countDown();
      return Behaviors.same();
    }), "replies", org.apache.pekko.actor.typed.Props.empty());
    for (int m = 1; m <= messages; m++) {
      for (int i = 0; i < devices; i++) {
        DeviceIdentity identity = new DeviceIdentity(String.format(Locale.ROOT, "dev-%07d", i), "plant-1", profileName);
        long at = now + m * 1000L;
        List<Sample> samples = new ArrayList<>();
        for (var metric : profile.metrics()) {
          // Low in every range: no alert rule fires, the figure is for a healthy device.
          samples.add(new Sample(metric.name(), at, metric.min() + (metric.max() - metric.min()) * 0.05 + (i % 7) * 0.01));
        }
        // A delivery id as the gateway gives: the actor remembers the deliveries of the last 20 s.
        Telemetry telemetry = new Telemetry(identity, m, at, samples, at).withDeliveryId((long) m * devices + i + 1);
        actors.get(i).tell(new DeviceActor.Ingest(telemetry, replies));
      }
      if (m % 5 == 0) {
        Thread.sleep(10); // let the mailboxes drain between waves: the figure is for idle actors
      }
    }
    if (!answered.await(30, TimeUnit.MINUTES)) {
      throw new IllegalStateException(answered.getCount() + " messages unanswered");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long retained = retainedHeap() - baseline;
    System.out.printf(Locale.ROOT, "%d %s device actors, %d messages each (%.1f s): %,d bytes retained, %,d bytes per device"
            + " actor; max heap %,d MB; %d cores, %s%n",
        devices, profileName, messages, seconds, retained, retained / devices,
        Runtime.getRuntime().maxMemory() >> 20, Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    if (Boolean.getBoolean("capacity.histogram")) {
      // What the heap holds, largest first (for finding what a device actor costs).
      Process histogram = new ProcessBuilder("jcmd", String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      new String(histogram.getInputStream().readAllBytes()).lines().limit(Integer.getInteger("capacity.histogram.lines", 30))
          .forEach(System.out::println);
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Used heap after full collections, the lowest of four (what the live objects hold). */
  static long retainedHeap() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(200);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
