package io.fleetpulse.analytics;

/** Every error of the query API, the same shape as the node's: a stable code and a sentence for a person. */
public record ApiError(String code, String message) {}
