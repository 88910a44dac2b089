package io.fleetpulse.node;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A FleetPulse node in its own JVM, started from this test's class path with a configuration
 * file, so a test can kill it the way a machine dies (SIGKILL: no shutdown hook, no drain, no
 * acknowledgement sent) and start it again.
 */
final class NodeProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final Path log;
  private final String httpUrl;

  private NodeProcess(Process process, Path log, String httpUrl) {
    this.process = process;
    this.log = log;
    this.httpUrl = httpUrl;
  }

  /**
   * Starts a node with {@code overrides} (HOCON) over the node's application.conf and waits until
   * it reports ready. The node listens for HTTP on {@code httpPort}.
   */
  static NodeProcess start(Path directory, String label, int httpPort, String overrides) throws IOException, InterruptedException {
    Path config = directory.resolve(label + ".conf");
    Files.writeString(config, "include classpath(\"application.conf\")\n"
        + "fleetpulse.node.http.port = " + httpPort + "\n" + overrides);
    Path log = directory.resolve(label + ".log");
    String java = ProcessHandle.current().info().command().orElse("java");
    // C1 only: a node JVM of a test lives a minute or two, and C2 compiling its start-up took more
    // CPU than it saved (ControlPlaneIT's four node JVMs: about 160 CPU-seconds, 57 with C1 only).
    Process process = new ProcessBuilder(List.of(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dconfig.file=" + config,
            "-cp", System.getProperty("java.class.path"), FleetPulseNode.class.getName()))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    NodeProcess node = new NodeProcess(process, log, "http://127.0.0.1:" + httpPort);
    node.awaitReady(Duration.ofSeconds(90));
    return node;
  }

  String httpUrl() {
    return httpUrl;
  }

  /** SIGKILL: the process ends at once, mid-work. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl + "/health/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node not ready within " + timeout + ":\n" + tail());
  }

  /** The last lines the node printed, for a failure message. */
  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** A clean stop (SIGTERM: coordinated shutdown). */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
