package io.fleetpulse.simulator;

import io.fleetpulse.simulator.node.NodeSummary;

/**
 * The node's summary before and after a run, and the rate at which it processed messages: the
 * messages it settled (accepted, duplicate or rejected) during the run divided by the time from
 * the first publish until it had settled everything the broker acknowledged.
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
