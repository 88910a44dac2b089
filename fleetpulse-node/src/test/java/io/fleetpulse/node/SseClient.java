package io.fleetpulse.node;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Reads a Server-Sent Events stream on its own thread; events (type, id, data, when received) queue up. */
final class SseClient implements AutoCloseable {

  record Event(String type, String id, String data, long receivedNanos) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile Stream<String> lines;

  SseClient(String url, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream")
        .header("Authorization", "Bearer " + NodeTestSupport.adminToken());
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response;
    try {
      response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
    } catch (Exception e) {
      throw new IllegalStateException("cannot open " + url, e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
    lines = response.body();
    reader = new Thread(() -> {
      String type = "message";
      String id = null;
      StringBuilder data = new StringBuilder();
      try {
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.isEmpty()) {
            if (data.length() > 0) {
              events.add(new Event(type, id, data.toString(), System.nanoTime()));
            }
            type = "message";
            data.setLength(0);
          } else if (line.startsWith("event:")) {
            type = line.substring(6).strip();
          } else if (line.startsWith("id:")) {
            id = line.substring(3).strip();
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).strip());
          }
        }
      } catch (RuntimeException closed) {
        // the stream ends when the test closes it
      }
    }, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** The next event of {@code type}, skipping others; fails after {@code timeout}. */
  Event next(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event event = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (event == null) {
        throw new AssertionError("no '" + type + "' event within " + timeout);
      }
      if (event.type().equals(type)) {
        return event;
      }
    }
  }

  @Override
  public void close() {
    lines.close();
  }
}
