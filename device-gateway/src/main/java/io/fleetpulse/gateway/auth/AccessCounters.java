package io.fleetpulse.gateway.auth;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Refusals of the broker's access checks, by reason and by registered client. A name that is not
 * registered is counted under reason only, so a flood of made-up names cannot grow the map.
 */
public final class AccessCounters {

  private final Map<AccessRefusal, LongAdder> byReason = new EnumMap<>(AccessRefusal.class);
  private final ConcurrentHashMap<String, LongAdder> byClient = new ConcurrentHashMap<>();

  public AccessCounters() {
    for (AccessRefusal reason : AccessRefusal.values()) {
      byReason.put(reason, new LongAdder());
    }
  }

  void refused(AccessRefusal reason, String registeredClient) {
    byReason.get(reason).increment();
    if (registeredClient != null) {
      byClient.computeIfAbsent(registeredClient + " " + reason.code(), key -> new LongAdder()).increment();
    }
  }

  public long count(AccessRefusal reason) {
    return byReason.get(reason).sum();
  }

  /** Counts by reason code, every reason listed. */
  public Map<String, Long> byReason() {
    Map<String, Long> counts = new LinkedHashMap<>();
    byReason.forEach((reason, count) -> counts.put(reason.code(), count.sum()));
    return counts;
  }

  /** A registered client's refusals with their reason, most first. */
  public record ClientRefusals(String client, String reason, long count) {}

  /** The {@code limit} registered clients refused most, with reason. */
  public List<ClientRefusals> top(int limit) {
    List<ClientRefusals> all = new ArrayList<>(byClient.size());
    byClient.forEach((key, count) -> {
      int space = key.indexOf(' ');
      all.add(new ClientRefusals(key.substring(0, space), key.substring(space + 1), count.sum()));
    });
    all.sort(Comparator.comparingLong(ClientRefusals::count).reversed().thenComparing(ClientRefusals::client));
    return all.size() > limit ? List.copyOf(all.subList(0, limit)) : List.copyOf(all);
  }

  /** The refusals of one registered client, by reason code. */
  public Map<String, Long> ofClient(String client) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (AccessRefusal reason : AccessRefusal.values()) {
      LongAdder count = byClient.get(client + " " + reason.code());
      if (count != null) {
        counts.put(reason.code(), count.sum());
      }
    }
    return counts;
  }
}
