package io.fleetpulse.serving.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.serving.InferenceReply;
import io.fleetpulse.serving.Lane;
import io.fleetpulse.serving.ServingSettings;
import io.fleetpulse.serving.pool.InferencePool;
import io.fleetpulse.serving.registry.LoadedModel;
import io.fleetpulse.serving.registry.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The inference pool against what a user would write without it: {@code session.run} once per
 * request from as many threads as there are concurrent requests. Closed loop: each of {@code c}
 * clients sends its next request when the previous one is answered. Also the URLLC lane's
 * latency while mMTC clients flood the pool. Run with model-serving/bench/pool-benchmark.sh. The
 * actor scheduler ticks every millisecond, as on a node (fleetpulse-node's application.conf).
 *
 * <p>Arguments: registry directory, model, seconds per case.
 */
public final class PoolBenchmark {

  private static final int[] CONCURRENCY = {1, 8, 64, 512};

  public static void main(String[] args) throws Exception {
    Path registryDirectory = Path.of(args.length > 0 ? args[0] : "src/test/resources/models");
    String model = args.length > 1 ? args[1] : "scorer";
    Duration perCase = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 5);
    Config config = ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.scheduler.tick-duration = 1ms").withFallback(ConfigFactory.load());
    ServingSettings settings = ServingSettings.fromConfig(config);
    ModelRegistry registry = new ModelRegistry(registryDirectory, settings.execution());
    List<String> problems = registry.loadAll();
    LoadedModel direct = registry.active(model).orElseThrow(() -> new IllegalStateException("no model " + model + ": " + problems));
    float[] values = input(direct.metadata().input().valuesPerSample());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench", config);
    ActorRef<InferencePool.Command> pool =
        system.systemActorOf(InferencePool.create(settings, registry, new SimpleMeterRegistry()), "pool", InferencePool.props());

    System.out.printf(Locale.ROOT, "model %s, %d values per request, %s per case, %d cores, %s%n", model, values.length, perCase,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"));
    System.out.printf(Locale.ROOT, "%-28s %6s %12s %10s %10s%n", "case", "conc", "requests/s", "p50 ms", "p99 ms");
    for (int concurrency : CONCURRENCY) {
      report("session.run per request", concurrency, direct(direct, values, concurrency, Duration.ofSeconds(1)));
      report("session.run per request", concurrency, direct(direct, values, concurrency, perCase));
      pooled(system, pool, model, values, Lane.EMBB, concurrency, Duration.ofSeconds(1));
      report("pool, URLLC lane", concurrency, pooled(system, pool, model, values, Lane.URLLC, concurrency, perCase));
      report("pool, eMBB lane", concurrency, pooled(system, pool, model, values, Lane.EMBB, concurrency, perCase));
      report("pool, mMTC lane", concurrency, pooled(system, pool, model, values, Lane.MMTC, concurrency, perCase));
    }
    floodedUrllc(system, pool, model, values, perCase);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    registry.close();
  }

  private record Result(long requests, double seconds, long[] latencies, long rejected) {}

  private static void report(String name, int concurrency, Result result) {
    System.out.printf(Locale.ROOT, "%-28s %6d %12.0f %10.3f %10.3f%s%n", name, concurrency, result.requests / result.seconds,
        percentile(result.latencies, 0.5), percentile(result.latencies, 0.99),
        result.rejected > 0 ? "   (" + result.rejected + " overloaded/expired)" : "");
  }

  /** What a user writes without the pool: a thread per concurrent request, one run each. */
  private static Result direct(LoadedModel model, float[] values, int concurrency, Duration duration) throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    Recorder recorder = new Recorder();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      Thread thread = new Thread(() -> {
        while (running.get()) {
          long start = System.nanoTime();
          try {
            model.run(values, 1);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          recorder.record(System.nanoTime() - start);
        }
      });
      threads.add(thread);
    }
    long start = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(duration.toMillis());
    running.set(false);
    for (Thread thread : threads) {
      thread.join();
    }
    return recorder.result((System.nanoTime() - start) / 1e9, 0);
  }

  /** {@code concurrency} clients, each with one request in flight at a time. */
  private static Result pooled(
      ActorSystem<Void> system, ActorRef<InferencePool.Command> pool, String model, float[] values, Lane lane,
      int concurrency, Duration duration) throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong rejected = new AtomicLong();
    Recorder recorder = new Recorder();
    CountDownLatch stopped = new CountDownLatch(concurrency);
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      new Client(system, pool, model, values, lane, running, recorder, rejected, stopped).next();
    }
    Thread.sleep(duration.toMillis());
    running.set(false);
    stopped.await();
    return recorder.result((System.nanoTime() - start) / 1e9, rejected.get());
  }

  private static void floodedUrllc(
      ActorSystem<Void> system, ActorRef<InferencePool.Command> pool, String model, float[] values, Duration duration)
      throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong floodRejected = new AtomicLong();
    Recorder flood = new Recorder();
    CountDownLatch floodStopped = new CountDownLatch(512);
    for (int c = 0; c < 512; c++) {
      new Client(system, pool, model, values, Lane.MMTC, running, flood, floodRejected, floodStopped).next();
    }
    Recorder urgent = new Recorder();
    long urgentRejected = 0;
    long start = System.nanoTime();
    while (System.nanoTime() - start < duration.toNanos()) {
      long sent = System.nanoTime();
      InferenceReply reply = ask(system, pool, model, values, Lane.URLLC).toCompletableFuture().join();
      if (reply instanceof InferenceReply.Prediction) {
        urgent.record(System.nanoTime() - sent);
      } else {
        urgentRejected++;
      }
      Thread.sleep(5);
    }
    running.set(false);
    floodStopped.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    report("flood: mMTC background", 512, flood.result(seconds, floodRejected.get()));
    report("flood: URLLC every 5 ms", 1, urgent.result(seconds, urgentRejected));
  }

  private static CompletionStage<InferenceReply> ask(
      ActorSystem<Void> system, ActorRef<InferencePool.Command> pool, String model, float[] values, Lane lane) {
    return AskPattern.ask(pool, replyTo -> new InferencePool.Infer(model, lane, values, replyTo), Duration.ofSeconds(10), system.scheduler());
  }

  private static final class Client {
    private final ActorSystem<Void> system;
    private final ActorRef<InferencePool.Command> pool;
    private final String model;
    private final float[] values;
    private final Lane lane;
    private final AtomicBoolean running;
    private final Recorder recorder;
    private final AtomicLong rejected;
    private final CountDownLatch stopped;

    Client(ActorSystem<Void> system, ActorRef<InferencePool.Command> pool, String model, float[] values, Lane lane,
        AtomicBoolean running, Recorder recorder, AtomicLong rejected, CountDownLatch stopped) {
      this.system = system;
      this.pool = pool;
      this.model = model;
      this.values = values;
      this.lane = lane;
      this.running = running;
      this.recorder = recorder;
      this.rejected = rejected;
      this.stopped = stopped;
    }

    void next() {
      if (!running.get()) {
        stopped.countDown();
        return;
      }
      long start = System.nanoTime();
      ask(system, pool, model, values, lane).whenCompleteAsync((reply, failure) -> {
        if (reply instanceof InferenceReply.Prediction) {
          recorder.record(System.nanoTime() - start);
        } else {
          rejected.incrementAndGet();
        }
        next();
      }, Runnable::run);
    }
  }

  /** Latencies in nanoseconds, kept whole so percentiles are exact. */
  private static final class Recorder {
    private long[] latencies = new long[1 << 16];
    private int count;

    synchronized void record(long nanos) {
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = nanos;
    }

    synchronized Result result(double seconds, long rejected) {
      long[] copy = Arrays.copyOf(latencies, count);
      Arrays.sort(copy);
      return new Result(count, seconds, copy, rejected);
    }
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  private static float[] input(int size) {
    Random random = new Random(1);
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = random.nextFloat();
    }
    return values;
  }
}
