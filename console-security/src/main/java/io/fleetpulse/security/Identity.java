package io.fleetpulse.security;

import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.control.access.Permission;
import io.fleetpulse.control.access.Sites;
import java.util.Optional;
import java.util.Set;

/**
 * Who a request is from, as proven by a session cookie, an API token or the identity provider's
 * JWT; what it may do follows from its roles and sites.
 *
 * @param name the account's name, the token's {@code token:<id>}, or the JWT's name claim
 * @param kind how it was proven
 * @param sites the sites it may act on ({@value Sites#ALL}: every site)
 * @param session the session's id and CSRF token (signed-in dashboard only)
 * @param credentialId what proved it: the session's or the API token's id, or the JWT's subject
 * @param expiresAtMillis when the credential expires, at the latest (revocation may end it sooner)
 */
public record Identity(String name, Kind kind, Set<ConsoleRole> roles, Set<String> sites, Optional<SessionRef> session,
    String credentialId, long expiresAtMillis) {

  public enum Kind {
    SESSION("session"), API_TOKEN("api-token"), OIDC("oidc");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  public record SessionRef(String id, String csrfToken) {}

  public Identity {
    roles = Set.copyOf(roles);
    sites = Set.copyOf(sites);
  }

  public boolean may(Permission permission) {
    return roles.stream().anyMatch(role -> role.grants(permission));
  }

  public boolean mayActOn(String site) {
    return Sites.allows(sites, site);
  }

  public boolean allSites() {
    return Sites.all(sites);
  }
}
