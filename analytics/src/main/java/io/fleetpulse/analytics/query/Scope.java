package io.fleetpulse.analytics.query;

/** Whose data an endpoint reads: one device's or a whole site's; each has its own range limit and 404 code. */
public enum Scope {
  DEVICE("devices", "device.unknown", "device"),
  SITE("sites", "site.unknown", "site");

  private final String pathSegment;
  private final String unknownCode;
  private final String noun;

  Scope(String pathSegment, String unknownCode, String noun) {
    this.pathSegment = pathSegment;
    this.unknownCode = unknownCode;
    this.noun = noun;
  }

  /** The path segment after {@code /api/data/}. */
  public String pathSegment() {
    return pathSegment;
  }

  /** The 404 code when the subject is not registered. */
  public String unknownCode() {
    return unknownCode;
  }

  public String noun() {
    return noun;
  }
}
