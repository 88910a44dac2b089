package io.fleetpulse.simulator.plan;

import io.fleetpulse.simulator.payload.MalformedKind;
import java.util.Optional;

/**
 * One publish, ready to go out: topic, payload bytes and what the simulator expects the node to do
 * with it. {@code seq} is the sequence number carried in the payload (for malformed messages the
 * unconsumed next number). The payload array is shared, never modified.
 */
public record OutgoingMessage(
    SimulatedDevice device, String topic, byte[] payload, MessageKind kind, long seq, Optional<MalformedKind> malformed) {}
