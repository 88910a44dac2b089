package io.fleetpulse.persistence.query;

import io.fleetpulse.api.error.ErrorCode;

/** Whose data an endpoint reads: one device's or a whole site's; each has its own range limit and 404 code. */
public enum Scope {
  DEVICE("devices", ErrorCode.DEVICE_UNKNOWN, "device"),
  SITE("sites", ErrorCode.SITE_UNKNOWN, "site");

  private final String pathSegment;
  private final ErrorCode unknownCode;
  private final String noun;

  Scope(String pathSegment, ErrorCode unknownCode, String noun) {
    this.pathSegment = pathSegment;
    this.unknownCode = unknownCode;
    this.noun = noun;
  }

  /** The path segment after {@code /api/data/}. */
  public String pathSegment() {
    return pathSegment;
  }

  /** The code when the subject is not registered. */
  public ErrorCode unknownCode() {
    return unknownCode;
  }

  public String noun() {
    return noun;
  }
}
