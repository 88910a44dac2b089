package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;
import java.util.Set;

/**
 * A bearer token for scripts and data teams, scoped to roles and sites. {@code hash} is the
 * SHA-256 of the token (256 random bits, shown once when created): enough for a secret that
 * random, and cheap enough to check on every request.
 */
public record ApiToken(String id, String name, String hash, Set<ConsoleRole> roles, Set<String> sites,
    String createdBy, long createdAtMillis, long expiresAtMillis, boolean revoked) implements CborSerializable {

  public ApiToken {
    roles = Set.copyOf(roles);
    sites = Set.copyOf(sites);
  }

  public boolean validAt(long millis) {
    return !revoked && millis < expiresAtMillis;
  }
}
