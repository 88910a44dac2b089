package io.fleetpulse.api.error;

/** The body of every error answer of the HTTP API: {@code {"code": "...", "message": "..."}}. */
public record ApiError(String code, String message) {

  public static ApiError of(ErrorCode code, String message) {
    return new ApiError(code.code(), message);
  }
}
