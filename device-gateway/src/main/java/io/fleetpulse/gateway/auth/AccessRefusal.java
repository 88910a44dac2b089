package io.fleetpulse.gateway.auth;

/** Why the broker refused a client's CONNECT, PUBLISH or SUBSCRIBE: the stable code counted and logged. */
public enum AccessRefusal {
  /** CONNECT without a username. */
  ANONYMOUS("auth.anonymous"),
  /** The client id is empty, or is not the username (optionally followed by {@code -suffix}), or is the gateway's. */
  CLIENT_ID("auth.client-id"),
  /** No client of that name is registered. */
  UNKNOWN("auth.unknown"),
  /** The client was decommissioned. */
  DECOMMISSIONED("auth.decommissioned"),
  /** The client holds no valid credential: never issued, revoked, or rotated out past its grace period. */
  NO_CREDENTIAL("auth.no-credential"),
  /** The secret matches none of the client's credentials. */
  BAD_SECRET("auth.bad-secret"),
  /** The node has not loaded the registry yet; the client should try again. */
  NOT_READY("auth.not-ready"),
  /** A PUBLISH outside what the client's role and site allow. */
  PUBLISH_DENIED("publish.denied"),
  /** A SUBSCRIBE outside what the client's role and site allow. */
  SUBSCRIBE_DENIED("subscribe.denied");

  private final String code;

  AccessRefusal(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }
}
