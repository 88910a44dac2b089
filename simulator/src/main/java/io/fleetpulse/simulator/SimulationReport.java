package io.fleetpulse.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a simulator run did, returned by {@link FleetSimulator#run(SimulatorSettings)} and printed
 * at the end of the CLI. Every count except {@code sent} and {@code failed} counts messages whose
 * PUBACK arrived, so they can be compared exactly with the node's counters: {@code
 * validUniqueByDevice} (device id to valid unique messages, including late ones; devices that got
 * none are absent), {@code malformedByCode} (expected rejection code to count), duplicates and late
 * messages. {@code failed} counts publishes that failed or were still unacknowledged when the
 * run gave up waiting. {@code elapsed} runs from the first publish to the last acknowledgement.
 */
public record SimulationReport(
    long sent,
    long acknowledged,
    long failed,
    long duplicatesSent,
    long lateSent,
    Map<String, Long> malformedByCode,
    Map<String, Long> deadLettersByCode,
    Map<String, Long> validUniqueByDevice,
    Duration elapsed,
    double sentPerSecond,
    double acknowledgedPerSecond,
    Optional<NodeMeasurement> node) {

  public SimulationReport {
    malformedByCode = Map.copyOf(malformedByCode);
    deadLettersByCode = Map.copyOf(deadLettersByCode);
    validUniqueByDevice = Map.copyOf(validUniqueByDevice);
  }

  public long malformedSent() {
    return sum(malformedByCode);
  }

  public long deadLetters() {
    return sum(deadLettersByCode);
  }

  public long validUnique() {
    return sum(validUniqueByDevice);
  }

  private static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  /** A multi-line, human-readable report. */
  public String render() {
    StringBuilder text = new StringBuilder("FleetPulse simulator report\n");
    line(text, "elapsed", String.format(Locale.ROOT, "%.3f s", elapsed.toNanos() / 1e9));
    line(text, "sent", String.format(Locale.ROOT, "%d (%.1f/s)", sent, sentPerSecond));
    line(text, "acknowledged", String.format(Locale.ROOT, "%d (%.1f/s)", acknowledged, acknowledgedPerSecond));
    line(text, "failed", Long.toString(failed));
    line(text, "valid unique", validUnique() + " from " + validUniqueByDevice.size() + " devices");
    line(text, "duplicates sent", Long.toString(duplicatesSent));
    line(text, "late sent", Long.toString(lateSent));
    line(text, "malformed sent", malformedSent() + " " + sorted(malformedByCode));
    line(text, "dead letters", deadLetters() + " " + sorted(deadLettersByCode));
    node.ifPresent(measured -> {
      line(text, "node devices", measured.after().devices() + " (online " + measured.after().online() + ")");
      line(text, "node received", String.format(Locale.ROOT, "+%d (processed %.1f/s)",
          measured.receivedDelta(), measured.processedPerSecond()));
      line(text, "node accepted", "+" + measured.acceptedDelta());
      line(text, "node duplicates", "+" + measured.duplicatesDelta());
      line(text, "node rejected", "+" + measured.rejectedDelta());
      line(text, "node rejects", sorted(measured.after().rejectsByReason()) + " (node totals by reason)");
    });
    return text.toString();
  }

  private static void line(StringBuilder text, String label, String value) {
    text.append(String.format(Locale.ROOT, "  %-16s %s%n", label, value));
  }

  private static String sorted(Map<String, Long> counts) {
    return new TreeMap<>(counts).toString();
  }
}
