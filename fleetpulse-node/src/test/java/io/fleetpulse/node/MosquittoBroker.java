package io.fleetpulse.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (Debian package {@code mosquitto}) started on a free loopback port for
 * the interoperability test. {@code .ci/run} installs the package; without it the test fails with
 * a sentence saying so rather than passing silently.
 */
final class MosquittoBroker implements AutoCloseable {

  private final Process process;
  private final int port;

  private MosquittoBroker(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  static MosquittoBroker start(Path directory) throws IOException, InterruptedException {
    Path binary = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"), Path.of("/usr/local/sbin/mosquitto"))
        .stream().filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IllegalStateException(
            "mosquitto is not installed: run `apt-get install mosquitto` (.ci/run does) to run the interop test"));
    int port = NodeTestSupport.freePort();
    Path config = directory.resolve("mosquitto.conf");
    Files.writeString(config, """
        listener %d 127.0.0.1
        allow_anonymous true
        persistence false
        max_queued_messages 1000000
        max_inflight_messages 1000
        log_dest stdout
        log_type error
        log_type warning
        """.formatted(port));
    Process process = new ProcessBuilder(binary.toString(), "-c", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(directory.resolve("mosquitto.log").toFile())
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
            + Files.readString(directory.resolve("mosquitto.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return new MosquittoBroker(process, port);
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    process.destroyForcibly();
    throw new IllegalStateException("mosquitto did not listen on port " + port + " within 10 s");
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
