package io.fleetpulse.node.http;

/** Every error the HTTP API returns: a stable code and a sentence for a person. */
public record ApiError(String code, String message) {}
