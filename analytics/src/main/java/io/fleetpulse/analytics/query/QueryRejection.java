package io.fleetpulse.analytics.query;

/**
 * A request the query API refuses before or instead of reading data: bad input (400) or an unknown
 * device or site (404). It carries the stable {@code code} clients match on and a sentence for a
 * person; it is control flow, not a failure, so it has no stack trace.
 */
public final class QueryRejection extends RuntimeException {

  /** Whether the request was malformed or named something that does not exist. */
  public enum Kind { INVALID, NOT_FOUND }

  private final Kind kind;
  private final String code;

  private QueryRejection(Kind kind, String code, String message) {
    super(message, null, false, false);
    this.kind = kind;
    this.code = code;
  }

  public static QueryRejection invalid(String code, String message) {
    return new QueryRejection(Kind.INVALID, code, message);
  }

  public static QueryRejection notFound(String code, String message) {
    return new QueryRejection(Kind.NOT_FOUND, code, message);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }
}
