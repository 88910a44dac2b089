package io.fleetpulse.api.telemetry;

import io.fleetpulse.api.CborSerializable;

/**
 * What a device's actor made of one telemetry message. Every outcome ends the message's life
 * in the broker: the gateway acknowledges it after any of them.
 */
public sealed interface IngestOutcome extends CborSerializable
    permits IngestOutcome.Accepted, IngestOutcome.Duplicate, IngestOutcome.Rejected {

  /** Counted into the device's aggregates and ring buffer. */
  record Accepted(String deviceId, long sequence) implements IngestOutcome {}

  /** Seen before (a QoS 1 redelivery or a replay): counted as a duplicate, nothing else. */
  record Duplicate(String deviceId, long sequence) implements IngestOutcome {}

  /** Refused by the actor, for example a sequence number too old to tell duplicate from new. */
  record Rejected(String deviceId, long sequence, RejectReason reason, String detail)
      implements IngestOutcome {}
}
