package io.fleetpulse.persistence.query;

import io.fleetpulse.api.error.ErrorCode;

/**
 * A request the query API refuses before or instead of reading data: bad input or an unknown
 * device or site. It carries the {@link ErrorCode} clients match on (which also gives the HTTP
 * status) and a sentence for a person; it is control flow, not a failure, so it has no stack
 * trace.
 */
public final class QueryRejection extends RuntimeException {

  private final ErrorCode code;

  private QueryRejection(ErrorCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public static QueryRejection of(ErrorCode code, String message) {
    return new QueryRejection(code, message);
  }

  public ErrorCode code() {
    return code;
  }
}
