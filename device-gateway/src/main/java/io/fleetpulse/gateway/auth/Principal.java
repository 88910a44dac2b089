package io.fleetpulse.gateway.auth;

import io.fleetpulse.api.profile.ClientRole;
import java.util.Objects;

/**
 * Who an authenticated broker connection is: the node's own gateway (the service identity), or a
 * registered client with its role. {@code credentialHash} is the credential its secret matched,
 * so a revocation or the end of a rotation's grace period ends what the connection may do
 * ({@link #CERTIFICATE} for a client that presented a certificate instead).
 */
public record Principal(String name, boolean service, ClientRole role, String credentialHash) {

  /** The {@code credentialHash} of a client that authenticated with a certificate. */
  static final String CERTIFICATE = "x509";

  public Principal {
    Objects.requireNonNull(name, "name");
  }

  static Principal service(String name) {
    return new Principal(name, true, null, null);
  }
}
