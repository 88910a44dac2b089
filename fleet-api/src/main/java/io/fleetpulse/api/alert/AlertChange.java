package io.fleetpulse.api.alert;

import io.fleetpulse.api.CborSerializable;

/**
 * An alert after one change, with the status it had before ({@code null} when the change raised
 * it): what stores need to move the alert between its by-status rows, and what live streams send.
 */
public record AlertChange(Alert alert, AlertStatus previousStatus) implements CborSerializable {}
