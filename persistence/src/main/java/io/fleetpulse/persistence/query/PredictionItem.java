package io.fleetpulse.persistence.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One model output for one device. {@code sequence} (the telemetry sequence the prediction was
 * made on) exists in the device table only and {@code site} on the site endpoint only; each is
 * left out of the JSON where it does not exist.
 */
public record PredictionItem(
    String deviceId, @JsonInclude(JsonInclude.Include.NON_NULL) String site, Instant ts, String model,
    String modelVersion, @JsonInclude(JsonInclude.Include.NON_NULL) Long sequence, List<Float> outputs) {}
