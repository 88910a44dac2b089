package io.fleetpulse.persistence.query;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One per-minute roll-up of one metric of one device. {@code site} is present on the site endpoint
 * only (its table is partitioned by site); the statistics are null where Cassandra holds none.
 */
public record RollupItem(
    String deviceId, @JsonInclude(JsonInclude.Include.NON_NULL) String site, String metric, Instant minute,
    Long count, Double mean, Double min, Double max, Double stddev) {}
