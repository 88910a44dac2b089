package io.fleetpulse.queryapi;

import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.persistence.query.Dataset;
import io.fleetpulse.persistence.query.PageToken;
import io.fleetpulse.persistence.query.Query;
import io.fleetpulse.persistence.query.QueryRejection;
import io.fleetpulse.persistence.query.Scope;
import io.fleetpulse.persistence.query.TimeRange;
import io.fleetpulse.queryapi.export.ExportFormat;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Validates a data endpoint's query parameters without touching Cassandra, so malformed requests
 * cost nothing: the range first ({@code range.*}), then {@code format}, then, for JSON pages only,
 * {@code limit} and {@code page}. Exports ignore {@code limit} and {@code page}.
 */
final class RequestParser {

  static final String JSON = "json";

  private final QueryApiSettings settings;

  RequestParser(QueryApiSettings settings) {
    this.settings = settings;
  }

  /** The request, or a {@link QueryRejection} with the 400 code of the first thing wrong. */
  <T> DataRequest<T> parse(Dataset<T> dataset, String subject, Map<String, String> parameters) {
    Duration maxSpan = dataset.scope() == Scope.DEVICE ? settings.maxSpanDevice() : settings.maxSpanSite();
    TimeRange range = TimeRange.parse(
        Optional.ofNullable(parameters.get("from")), Optional.ofNullable(parameters.get("to")), maxSpan);
    Optional<String> filter = dataset.filterColumn()
        .map(parameters::get)
        .filter(value -> !value.isBlank());
    Query<T> query = new Query<>(dataset, subject, filter, range);

    String formatName = parameters.getOrDefault("format", JSON);
    Optional<ExportFormat> export = ExportFormat.of(formatName);
    if (export.isEmpty() && !formatName.equals(JSON)) {
      throw QueryRejection.of(ErrorCode.FORMAT_UNSUPPORTED,
          "format must be json (paged), csv or jsonl (whole range, streamed), not '" + formatName + "'");
    }
    if (export.isPresent()) {
      return new DataRequest<>(query, export, settings.defaultPageSize(), Optional.empty());
    }
    int limit = limit(parameters.get("limit"));
    Optional<PageToken> page = Optional.ofNullable(parameters.get("page"))
        .filter(token -> !token.isBlank())
        .map(token -> PageToken.decode(token, query.description(), query.bucketCount()));
    return new DataRequest<>(query, Optional.empty(), limit, page);
  }

  private int limit(String text) {
    if (text == null) {
      return settings.defaultPageSize();
    }
    try {
      int limit = Integer.parseInt(text.strip());
      if (limit >= 1 && limit <= settings.maxPageSize()) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // refused below with the same message as an out-of-range number
    }
    throw QueryRejection.of(ErrorCode.LIMIT_INVALID,
        "limit must be an integer within 1.." + settings.maxPageSize() + ", not '" + text + "'");
  }
}
