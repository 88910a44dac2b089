package io.fleetpulse.api.audit;

import java.time.Instant;
import java.util.List;

/**
 * One state-changing call to the node's HTTP API, as the audit log keeps it.
 *
 * @param at when the answer was given
 * @param who the identity's name ({@code anonymous} when there was none; for a refused sign-in, the
 *     name that was tried)
 * @param kind how the identity was proven: {@code session}, {@code api-token}, {@code oidc}, or
 *     {@code none}
 * @param roles the identity's roles at the time
 * @param action what was asked, by the route's rule (for example {@code alert.acknowledge})
 * @param target the request's method and path (query string included)
 * @param status the HTTP status answered
 * @param outcome {@code ok} for a 2xx answer, else the error code answered
 * @param address the client's address as the node saw it
 */
public record AuditEntry(Instant at, String who, String kind, List<String> roles, String action, String target,
    int status, String outcome, String address) {

  public AuditEntry {
    roles = roles == null ? List.of() : List.copyOf(roles);
  }
}
