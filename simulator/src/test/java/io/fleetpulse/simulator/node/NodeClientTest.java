package io.fleetpulse.simulator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeClientTest {

  private static final String SUMMARY = """
      {"devices":200,"online":190,
       "sites":[{"site":"plant-1","devices":67,"online":60},{"site":"plant-2","devices":67,"online":65}],
       "messages":{"received":10000,"accepted":9300,"duplicates":200,"rejected":500,"perSecond":12.3},
       "rejectsByReason":{"payload.malformed":63,"value.not-finite":63}}
      """;

  private HttpServer server;
  private volatile int status = 200;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/fleet/summary", exchange -> {
      byte[] body = SUMMARY.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private NodeClient client() {
    return new NodeClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), Duration.ofSeconds(5));
  }

  @Test
  void reads_the_fleet_summary() throws Exception {
    NodeSummary summary = client().summary();

    assertThat(summary.devices()).isEqualTo(200);
    assertThat(summary.online()).isEqualTo(190);
    assertThat(summary.sites()).containsExactly(
        new NodeSummary.SiteSummary("plant-1", 67, 60), new NodeSummary.SiteSummary("plant-2", 67, 65));
    assertThat(summary.messages()).isEqualTo(new NodeSummary.MessageCounts(10_000, 9_300, 200, 500, 12.3));
    assertThat(summary.rejectsByReason()).containsEntry("payload.malformed", 63L).hasSize(2);
  }

  @Test
  void fails_on_an_error_status() {
    status = 503;

    assertThatThrownBy(() -> client().summary()).isInstanceOf(IOException.class).hasMessageContaining("503");
  }
}
