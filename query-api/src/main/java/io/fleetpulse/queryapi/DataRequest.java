package io.fleetpulse.queryapi;

import io.fleetpulse.persistence.query.PageToken;
import io.fleetpulse.persistence.query.Query;
import io.fleetpulse.queryapi.export.ExportFormat;
import java.util.Optional;

/**
 * A validated request of a data endpoint: the query, and either a JSON page ({@code limit} items
 * from {@code page} on) or a whole-range export in {@code export}'s format.
 */
record DataRequest<T>(Query<T> query, Optional<ExportFormat> export, int limit, Optional<PageToken> page) {}
