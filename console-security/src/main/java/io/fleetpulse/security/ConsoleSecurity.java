package io.fleetpulse.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.audit.AuditEntry;
import io.fleetpulse.api.audit.AuditLog;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.gateway.auth.Secrets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The gate in front of every route of the node: finds the request's {@link AccessRules} rule
 * (none: 404, wrong method: 405), its identity ({@link Authenticator}; none: 401), and checks the
 * identity's roles (403 {@code access.denied}), its site scope (403 {@code access.site-denied})
 * and, for a signed-in session's state-changing request, the CSRF header (403 {@code
 * access.csrf}). The routes behind it read the identity with {@link #identity}. Every
 * state-changing request, let through or not, is appended to the {@link AuditLog} with its
 * answer's status.
 */
public final class ConsoleSecurity extends AllDirectives {

  public static final AttributeKey<Identity> IDENTITY = AttributeKey.create("fleetpulse-identity", Identity.class);
  public static final String CSRF_HEADER = "X-CSRF-Token";
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleSecurity.class);
  private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");
  /** The site of an unknown device: no scope names it (a scope's sites are never blank). */
  private static final String UNKNOWN_SITE = "";

  private final AccessRules rules;
  private final Authenticator authenticator;
  private final Function<String, Optional<String>> siteOfDevice;
  private final AuditLog audit;
  private final SecuritySettings settings;
  private final HttpErrors errors;
  private final Clock clock;
  private final StreamLimiter streams;

  /**
   * @param siteOfDevice the registered site of a device id (this node's registry view), for
   *     routes scoped by a device
   */
  public ConsoleSecurity(AccessRules rules, Authenticator authenticator, Function<String, Optional<String>> siteOfDevice,
      AuditLog audit, SecuritySettings settings, ObjectMapper mapper, Clock clock) {
    this.rules = rules;
    this.authenticator = authenticator;
    this.siteOfDevice = siteOfDevice;
    this.audit = audit;
    this.settings = settings;
    this.errors = new HttpErrors(mapper);
    this.clock = clock;
    this.streams = new StreamLimiter(settings.maxStreamsPerIdentity());
  }

  public AccessRules rules() {
    return rules;
  }

  public StreamLimiter streams() {
    return streams;
  }

  public AuditLog audit() {
    return audit;
  }

  public SecuritySettings settings() {
    return settings;
  }

  /** Whether the credential that proved {@code identity} still holds (see {@link Authenticator#stillValid}). */
  public boolean stillValid(Identity identity) {
    return authenticator.stillValid(identity);
  }

  /** The request's identity, for a route behind {@link #secure}. */
  public Route identity(Function<Identity, Route> inner) {
    return attribute(IDENTITY, inner);
  }

  /** {@code inner} behind the gate. */
  public Route secure(Route inner) {
    return extractRequest(request -> {
      String method = request.method().value();
      AccessRules.Match match = rules.match(method, request.getUri().path());
      if (match instanceof AccessRules.NoRoute) {
        return complete(errors.error(ErrorCode.ROUTE_UNKNOWN, "no such resource"));
      }
      if (match instanceof AccessRules.WrongMethod wrong) {
        return complete(errors.error(ErrorCode.METHOD_UNSUPPORTED, method + " is not allowed here; allowed: "
                + String.join(", ", wrong.allowed()))
            .addHeader(Allow.create(wrong.allowed().stream().map(name -> HttpMethods.lookup(name).get())
                .toArray(org.apache.pekko.http.javadsl.model.HttpMethod[]::new))));
      }
      AccessRules.Found found = (AccessRules.Found) match;
      if (found.rule().access() == AccessRules.Access.PUBLIC) {
        return inner;
      }
      boolean changes = !READS.contains(method);
      CompletionStage<Authenticator.Outcome> outcome = authenticator.authenticate(
          request.getHeader("Authorization").map(header -> header.value()),
          cookie(request, settings.sessions().cookieName()));
      // Tokens, sessions and remembered JWTs are answered at once: no detour through a future.
      java.util.concurrent.CompletableFuture<Authenticator.Outcome> known = outcome.toCompletableFuture();
      if (known.isDone() && !known.isCompletedExceptionally()) {
        return gate(request, found, changes, known.join(), inner);
      }
      return onSuccess(outcome, result -> gate(request, found, changes, result, inner));
    });
  }

  /** The route for an authentication's outcome: refused, or {@code inner} with the identity. */
  private Route gate(HttpRequest request, AccessRules.Found found, boolean changes, Authenticator.Outcome result,
      Route inner) {
    if (result instanceof Authenticator.Refused refused) {
      return refuse(request, found, Optional.empty(), changes, refused.code(), refused.message());
    }
    Identity identity = ((Authenticator.Authenticated) result).identity();
    Optional<Authenticator.Refused> denied = authorize(request, found, identity);
    if (denied.isPresent()) {
      return refuse(request, found, Optional.of(identity), changes, denied.get().code(), denied.get().message());
    }
    Route allowed = mapRequest(r -> r.addAttribute(IDENTITY, identity), () -> inner);
    return changes ? mapResponse(response -> {
      int status = response.status().intValue();
      record(request, found.rule().action(), Optional.of(identity), status,
          status < 400 ? "ok" : status >= 500 ? "failed" : "refused");
      return response;
    }, () -> allowed) : allowed;
  }

  private static Optional<String> cookie(HttpRequest request, String name) {
    for (org.apache.pekko.http.javadsl.model.HttpHeader header : request.getHeaders()) {
      if (header instanceof org.apache.pekko.http.javadsl.model.headers.Cookie cookies) {
        for (org.apache.pekko.http.javadsl.model.headers.HttpCookiePair pair : cookies.getCookies()) {
          if (pair.name().equals(name)) {
            return Optional.of(pair.value());
          }
        }
      }
    }
    return Optional.empty();
  }

  private Optional<Authenticator.Refused> authorize(HttpRequest request, AccessRules.Found found, Identity identity) {
    AccessRules.Rule rule = found.rule();
    if (rule.access() == AccessRules.Access.PERMITTED && !identity.may(rule.permission())) {
      return Optional.of(new Authenticator.Refused(ErrorCode.ACCESS_DENIED, "'" + identity.name() + "' ("
          + roles(identity) + ") may not " + rule.action() + ": it needs a role with the " + rule.permission().id()
          + " permission"));
    }
    Optional<String> site = switch (rule.scope()) {
      case NONE -> Optional.empty();
      case SITE -> found.parameter("site");
      // A device this node does not know has no site a scope could allow: only an identity of
      // every site gets through to the route (which answers 404).
      case DEVICE -> Optional.of(found.parameter("deviceId").flatMap(siteOfDevice).orElse(UNKNOWN_SITE));
      case SITE_PARAMETER -> Optional.of(request.getUri().query().get("site").orElse(io.fleetpulse.control.access.Sites.ALL));
      case ALL_SITES -> Optional.of(io.fleetpulse.control.access.Sites.ALL);
    };
    if (site.isPresent() && !identity.mayActOn(site.get())) {
      return Optional.of(new Authenticator.Refused(ErrorCode.ACCESS_SITE_DENIED, "'" + identity.name() + "' may act on "
          + identity.sites() + " only" + (site.get().equals(io.fleetpulse.control.access.Sites.ALL)
              ? "; " + rule.action() + " covers every site"
              : site.get().equals(UNKNOWN_SITE) ? ", and this device is not registered at one of them"
              : ", not on site '" + site.get() + "'")));
    }
    if (identity.session().isPresent() && !READS.contains(request.method().value())) {
      Optional<String> sent = request.getHeader(CSRF_HEADER).map(header -> header.value());
      if (sent.isEmpty() || !Secrets.same(sent.get(), identity.session().get().csrfToken())) {
        return Optional.of(new Authenticator.Refused(ErrorCode.ACCESS_CSRF,
            "a signed-in session's changes need the " + CSRF_HEADER + " header that sign-in answered"));
      }
    }
    return Optional.empty();
  }

  private Route refuse(HttpRequest request, AccessRules.Found found, Optional<Identity> identity, boolean changes,
      ErrorCode code, String message) {
    if (changes) {
      record(request, found.rule().action(), identity, code.httpStatus(), code.code());
    }
    HttpResponse response = errors.error(code, message);
    if (code.httpStatus() == 401) {
      response = response.addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("WWW-Authenticate",
          "Bearer realm=\"fleetpulse\""));
    }
    return complete(response);
  }

  /** Appends one entry to the audit log; a failed append is logged, never the request's failure. */
  public void record(HttpRequest request, String action, Optional<Identity> identity, int status, String outcome) {
    record(request, action, identity.map(Identity::name).orElse("anonymous"),
        identity.map(i -> i.kind().id()).orElse("none"), identity.map(ConsoleSecurity::roleIds).orElse(List.of()),
        status, outcome);
  }

  void record(HttpRequest request, String action, String who, String kind, List<String> roles, int status,
      String outcome) {
    String target = request.method().value() + " " + request.getUri().path()
        + request.getUri().rawQueryString().map(query -> "?" + query).orElse("");
    String address = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress().map(java.net.InetAddress::getHostAddress)).orElse("unknown");
    AuditEntry entry = new AuditEntry(clock.instant(), who, kind, roles, action, target, status, outcome, address);
    audit.append(entry).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warn("audit entry not stored: {} ({})", entry, failure.toString());
      }
    });
  }

  private static List<String> roleIds(Identity identity) {
    return identity.roles().stream().map(ConsoleRole::id).sorted().toList();
  }

  private static String roles(Identity identity) {
    return identity.roles().isEmpty() ? "no role" : String.join(", ", roleIds(identity));
  }
}
