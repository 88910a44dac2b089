package io.fleetpulse.simulator.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.registry.MqttLogin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A FleetPulse node's HTTP API as the simulator uses it, with {@link HttpClient}: the fleet
 * summary ({@code GET {apiUrl}/api/fleet/summary}, before and after publishing) and, before a run,
 * the provisioning of its edge gateways and devices. Blocking.
 */
public final class NodeClient {

  private static final String SUMMARY_PATH = "/api/fleet/summary";
  private static final int HTTP_OK = 200;

  private final HttpClient http;
  private final String base;
  private final URI summaryUri;
  private final Duration timeout;
  private final ObjectMapper mapper = new ObjectMapper();

  private final java.util.Optional<String> token;

  public NodeClient(URI apiUrl, Duration timeout) {
    this(apiUrl, timeout, java.util.Optional.empty(), java.util.Optional.empty());
  }

  /**
   * @param token the API token sent as {@code Authorization: Bearer}
   * @param trust the CAs an https:// node's certificate is checked against (empty: the JVM's)
   */
  public NodeClient(URI apiUrl, Duration timeout, java.util.Optional<String> token,
      java.util.Optional<javax.net.ssl.TrustManagerFactory> trust) {
    String url = apiUrl.toString();
    this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.summaryUri = URI.create(base + SUMMARY_PATH);
    this.timeout = timeout;
    this.token = token;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(timeout);
    trust.ifPresent(factory -> {
      try {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        builder.sslContext(context);
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException("cannot set up TLS for " + apiUrl, e);
      }
    });
    this.http = builder.build();
  }

  private HttpRequest.Builder request(URI uri) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
    return request;
  }

  /** The current summary; throws {@link IOException} when the node cannot be read. */
  public NodeSummary summary() throws IOException, InterruptedException {
    HttpRequest request = request(summaryUri)
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

  /**
   * Registers {@code gatewayId} as the edge gateway of {@code site} (once; registering again
   * changes nothing) and issues it a new secret, the previous one staying valid for the node's
   * rotation grace so a simulator still running keeps its connections: the login its connections use.
   */
  public MqttLogin edgeGateway(String gatewayId, String site) throws IOException, InterruptedException {
    send("PUT", "/api/devices/" + gatewayId + "?credentials=none", "application/json",
        "{\"site\":\"" + site + "\",\"profile\":\"edge-gateway\"}");
    JsonNode issued = send("POST", "/api/devices/" + gatewayId + "/credentials", "application/json", "");
    return new MqttLogin(gatewayId, issued.path("secret").asText());
  }

  /**
   * Registers the devices in one bulk upload ({@code POST /api/devices/bulk}, CSV, no secrets of
   * their own: they publish through their site's edge gateway); returns how many lines were refused.
   */
  public long registerDevices(List<String> csvLines) throws IOException, InterruptedException {
    HttpRequest request = request(URI.create(base + "/api/devices/bulk?credentials=none"))
        .timeout(timeout.multipliedBy(Math.max(1, csvLines.size() / 1000)))
        .header("Content-Type", "text/csv")
        .POST(HttpRequest.BodyPublishers.ofString(String.join("\n", csvLines) + "\n"))
        .build();
    HttpResponse<java.util.stream.Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    if (response.statusCode() != HTTP_OK) {
      throw new IOException("POST " + request.uri() + " answered HTTP " + response.statusCode());
    }
    return response.body().filter(line -> !line.contains("\"outcome\":\"registered\"")).count();
  }

  private JsonNode send(String method, String path, String contentType, String body)
      throws IOException, InterruptedException {
    HttpRequest request = request(URI.create(base + path))
        .timeout(timeout)
        .header("Content-Type", contentType)
        .header("Accept", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != HTTP_OK) {
      throw new IOException(method + " " + request.uri() + " answered HTTP " + response.statusCode() + ": "
          + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return mapper.readTree(response.body());
  }

  public URI summaryUri() {
    return summaryUri;
  }
}
