package io.fleetpulse.api.telemetry;

import io.fleetpulse.api.CborSerializable;

/** One validated reading: a metric of the device's profile, when it was measured, its value. */
public record Sample(String metric, long timestampMillis, double value) implements CborSerializable {}
