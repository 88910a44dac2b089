package io.fleetpulse.loadtest;

import io.fleetpulse.loadtest.node.NodeSummary;

/**
 * The node's summary before and after a run, and the rate at which it processed messages:
 * (received after - received before) / the run's publishing time.
 */
public record NodeMeasurement(NodeSummary before, NodeSummary after, double processedPerSecond) {

  public long receivedDelta() {
    return after.messages().received() - before.messages().received();
  }

  public long acceptedDelta() {
    return after.messages().accepted() - before.messages().accepted();
  }

  public long duplicatesDelta() {
    return after.messages().duplicates() - before.messages().duplicates();
  }

  public long rejectedDelta() {
    return after.messages().rejected() - before.messages().rejected();
  }
}
