package io.fleetpulse.simulator.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads a FleetPulse node's fleet summary over HTTP ({@code GET {apiUrl}/api/fleet/summary}) with
 * {@link HttpClient}. Blocking; called twice per run, before and after publishing.
 */
public final class NodeClient {

  private static final String SUMMARY_PATH = "/api/fleet/summary";
  private static final int HTTP_OK = 200;

  private final HttpClient http;
  private final URI summaryUri;
  private final Duration timeout;
  private final ObjectMapper mapper = new ObjectMapper();

  public NodeClient(URI apiUrl, Duration timeout) {
    String base = apiUrl.toString();
    this.summaryUri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + SUMMARY_PATH);
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** The current summary; throws {@link IOException} when the node cannot be read. */
  public NodeSummary summary() throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(summaryUri)
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != HTTP_OK) {
      throw new IOException("GET " + summaryUri + " answered HTTP " + response.statusCode());
    }
    return NodeSummary.fromJson(mapper.readTree(response.body()));
  }

  public URI summaryUri() {
    return summaryUri;
  }
}
