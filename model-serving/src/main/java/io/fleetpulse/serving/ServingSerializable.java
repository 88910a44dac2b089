package io.fleetpulse.serving;

/**
 * Marker for the inference pool's messages, which cross nodes (a device actor on one node, the
 * pool on an inference node). Bound to Pekko's Jackson CBOR serializer in this module's
 * {@code reference.conf}. The module depends on no other project module, hence its own marker.
 */
public interface ServingSerializable {}
