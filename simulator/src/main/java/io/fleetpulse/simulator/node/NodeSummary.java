package io.fleetpulse.simulator.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The node's {@code GET /api/fleet/summary} answer as the simulator reads it. Missing fields read
 * as zero or empty, so an older or newer node does not break a load test.
 */
public record NodeSummary(
    long devices, long online, List<SiteSummary> sites, MessageCounts messages, Map<String, Long> rejectsByReason) {

  public NodeSummary {
    sites = List.copyOf(sites);
    rejectsByReason = Map.copyOf(rejectsByReason);
  }

  public record SiteSummary(String site, long devices, long online) {}

  public record MessageCounts(long received, long accepted, long duplicates, long rejected, double perSecond) {}

  public static NodeSummary fromJson(JsonNode json) {
    List<SiteSummary> sites = new ArrayList<>();
    for (JsonNode site : json.path("sites")) {
      sites.add(new SiteSummary(site.path("site").asText(""), site.path("devices").asLong(0), site.path("online").asLong(0)));
    }
    JsonNode messages = json.path("messages");
    MessageCounts counts = new MessageCounts(
        messages.path("received").asLong(0),
        messages.path("accepted").asLong(0),
        messages.path("duplicates").asLong(0),
        messages.path("rejected").asLong(0),
        messages.path("perSecond").asDouble(0));
    Map<String, Long> rejects = new TreeMap<>();
    for (Map.Entry<String, JsonNode> reason : json.path("rejectsByReason").properties()) {
      rejects.put(reason.getKey(), reason.getValue().asLong(0));
    }
    return new NodeSummary(json.path("devices").asLong(0), json.path("online").asLong(0), sites, counts, rejects);
  }
}
