package io.fleetpulse.api.error;

/**
 * Every error a client of the HTTP API can be answered with: the stable code it matches on and
 * the HTTP status that goes with it. The one mapping from errors to statuses; routes never pick a
 * status for a code themselves. Rejected telemetry has its own codes ({@code
 * io.fleetpulse.api.telemetry.RejectReason}), published with dead letters rather than answered.
 */
public enum ErrorCode {
  REQUEST_INVALID("request.invalid", 400),
  ROUTE_UNKNOWN("route.unknown", 404),
  /** A method the resource does not answer; the response's {@code Allow} header lists those it does. */
  METHOD_UNSUPPORTED("method.unsupported", 405),
  /** A body of a media type the resource does not read (JSON where JSON is expected). */
  MEDIA_TYPE_UNSUPPORTED("media-type.unsupported", 415),
  /** A body over the configured limit ({@code pekko.http.server.parsing.max-content-length}). */
  REQUEST_TOO_LARGE("request.too-large", 413),
  DEVICE_UNKNOWN("device.unknown", 404),
  SITE_UNKNOWN("site.unknown", 404),
  PROFILE_UNKNOWN("profile.unknown", 400),
  /** The device was decommissioned: it is not registered, moved or provisioned again. */
  DEVICE_DECOMMISSIONED("device.decommissioned", 409),
  ALERT_UNKNOWN("alert.unknown", 404),
  ALERT_ALREADY_ACKNOWLEDGED("alert.already-acknowledged", 409),
  ALERT_ALREADY_CLEARED("alert.already-cleared", 409),
  /** A bulk acknowledge or clear names more alerts than one call may ({@code fleetpulse.node.alerts.bulk-max-alerts}). */
  ALERT_SELECTION_TOO_LARGE("alert.selection-too-large", 400),
  /** The change stands in the device's actor but was not stored (only when alerts.retry gives up). */
  ALERT_STORE_UNAVAILABLE("alert.store-unavailable", 503),
  MODEL_REFUSED("model.refused", 409),
  RANGE_MISSING("range.missing", 400),
  RANGE_INVALID_TIME("range.invalid-time", 400),
  RANGE_INVERTED("range.inverted", 400),
  RANGE_TOO_WIDE("range.too-wide", 400),
  LIMIT_INVALID("limit.invalid", 400),
  PAGE_INVALID("page.invalid", 400),
  FORMAT_UNSUPPORTED("format.unsupported", 400),
  /** The node runs without Cassandra: there is no stored data to query. */
  STORAGE_DISABLED("storage.disabled", 404),
  STORAGE_UNAVAILABLE("storage.unavailable", 503),
  INFERENCE_DISABLED("inference.disabled", 404),
  METRICS_DISABLED("metrics.disabled", 404),
  SERVICE_UNAVAILABLE("service.unavailable", 503),
  /** A broker's access question came without the gateway's secret as its key. */
  BROKER_KEY_INVALID("broker-key.invalid", 401),
  /** No identity: sign in, or send a bearer token (an API token or the identity provider's JWT). */
  AUTH_REQUIRED("auth.required", 401),
  /** Credentials presented but not valid: a wrong password, an unknown, expired or revoked token, a JWT that fails validation. */
  AUTH_INVALID("auth.invalid", 401),
  /** Too many failed sign-ins for one account from one address; try again later. */
  AUTH_THROTTLED("auth.throttled", 429),
  /** The node has not loaded the accounts and tokens yet. */
  AUTH_NOT_READY("auth.not-ready", 503),
  /** The identity's roles do not allow the route. */
  ACCESS_DENIED("access.denied", 403),
  /** The identity may use the route, but not on this site. */
  ACCESS_SITE_DENIED("access.site-denied", 403),
  /** A state-changing request of a signed-in session without its CSRF token. */
  ACCESS_CSRF("access.csrf", 403),
  ACCOUNT_UNKNOWN("account.unknown", 404),
  ACCOUNT_EXISTS("account.exists", 409),
  TOKEN_UNKNOWN("token.unknown", 404),
  /** The identity holds as many live event streams as it may. */
  STREAM_LIMIT("stream.limit", 429),
  INTERNAL_ERROR("internal.error", 500);

  private final String code;
  private final int httpStatus;

  ErrorCode(String code, int httpStatus) {
    this.code = code;
    this.httpStatus = httpStatus;
  }

  /** The code as clients see it, e.g. {@code alert.unknown}. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
