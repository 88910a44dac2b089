package io.fleetpulse.api;

/**
 * Marker for every message that may cross a node boundary. Deployables bind it to Pekko's
 * Jackson CBOR serializer ({@code jackson-cbor}); Java serialization is never used.
 */
public interface CborSerializable {}
