package io.fleetpulse.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.access.AccessDirectory;
import io.fleetpulse.control.access.AccessReply;
import io.fleetpulse.control.access.Account;
import io.fleetpulse.control.access.ApiToken;
import io.fleetpulse.control.access.ConsoleAccess;
import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.control.access.Permission;
import io.fleetpulse.control.access.Sites;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The console's own routes, behind {@link ConsoleSecurity}: sign-in and sign-out ({@code
 * /api/session}), the caller ({@code /api/me}), accounts and API tokens (admins), and the audit
 * log (admins). A secret made here (a generated password, an API token) is in the answer once
 * and nowhere else; a session is a cookie (HttpOnly, SameSite=Strict, Secure under TLS) plus the
 * CSRF token the answer carries.
 */
public final class AccessRoutes extends AllDirectives {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
  private static final int MIN_PASSWORD = 12;
  private static final int MAX_PASSWORD = 256;

  /** Body of sign-in. */
  public record SignIn(String name, String password) {}

  /** Body of creating or changing an account. */
  public record AccountRequest(String name, String password, List<String> roles, List<String> sites, Boolean disabled) {}

  /** Body of a password change: the caller's own ({@code current} required) or an admin's reset. */
  public record PasswordRequest(String current, String password) {}

  /** Body of creating an API token. */
  public record TokenRequest(String name, List<String> roles, List<String> sites, Long expiresInDays) {}

  private final ConsoleAccess access;
  private final ConsoleSecurity security;
  private final SecuritySettings settings;
  private final ObjectMapper mapper;
  private final HttpErrors http;
  private final Clock clock;
  private final SignInThrottle throttle;
  private final boolean secureCookies;

  /** @param secureCookies whether the node serves HTTPS (the session cookie is then {@code Secure}) */
  public AccessRoutes(ConsoleAccess access, ConsoleSecurity security, ObjectMapper mapper, Clock clock,
      boolean secureCookies) {
    this.access = access;
    this.security = security;
    this.settings = security.settings();
    this.mapper = mapper;
    this.http = new HttpErrors(mapper);
    this.clock = clock;
    this.secureCookies = secureCookies;
    this.throttle = new SignInThrottle(settings.accounts().maxFailedSignIns(), settings.accounts().throttleWindow());
  }

  /** Under {@code /api}. */
  public Route route() {
    return concat(
        path("session", () -> concat(
            post(() -> extractRequest(request -> body(SignIn.class, body -> signIn(request, body)))),
            delete(() -> security.identity(this::signOut)))),
        pathPrefix("me", () -> concat(
            pathEnd(() -> get(() -> security.identity(identity -> json(StatusCodes.OK, me(identity))))),
            path("password", () -> post(() -> security.identity(identity ->
                body(PasswordRequest.class, body -> ownPassword(identity, body))))))),
        pathPrefix("accounts", () -> concat(
            pathEnd(() -> concat(
                get(() -> json(StatusCodes.OK, Map.of("accounts", access.view().directory().accounts().values().stream()
                    .sorted(Comparator.comparing(Account::name)).map(AccessRoutes::account).toList()))),
                post(() -> security.identity(identity -> body(AccountRequest.class, body -> createAccount(identity, body)))))),
            path(PathMatchers.segment(), name -> concat(
                get(() -> access.view().account(name).map(a -> json(StatusCodes.OK, account(a)))
                    .orElseGet(() -> error(ErrorCode.ACCOUNT_UNKNOWN, "no account '" + name + "'"))),
                put(() -> security.identity(identity -> body(AccountRequest.class, body -> changeAccount(identity, name, body)))))),
            path(PathMatchers.segment().slash("password"), name -> post(() -> security.identity(identity ->
                body(PasswordRequest.class, body -> resetPassword(identity, name, body))))))),
        pathPrefix("tokens", () -> concat(
            pathEnd(() -> concat(
                get(() -> json(StatusCodes.OK, Map.of("tokens", access.view().directory().tokens().values().stream()
                    .sorted(Comparator.comparingLong(ApiToken::createdAtMillis)).map(AccessRoutes::token).toList()))),
                post(() -> security.identity(identity -> body(TokenRequest.class, body -> createToken(identity, body)))))),
            path(PathMatchers.segment(), id -> delete(() -> security.identity(identity ->
                reply(access.revokeToken(id, identity.name()), directory -> token(directory.tokens().get(id)))))))),
        path("audit", () -> get(this::auditLog)));
  }

  private Route signIn(HttpRequest request, SignIn body) {
    if (body.name() == null || body.password() == null || body.password().length() > MAX_PASSWORD) {
      return error(ErrorCode.REQUEST_INVALID, "name and password are required");
    }
    String name = body.name().strip();
    String address = request.getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress().map(java.net.InetAddress::getHostAddress)).orElse("unknown");
    String key = name + "|" + address;
    if (!throttle.allows(key)) {
      security.record(request, "session.open", name, "none", List.of(), 429, ErrorCode.AUTH_THROTTLED.code());
      return error(ErrorCode.AUTH_THROTTLED, "too many failed sign-ins; try again in "
          + settings.accounts().throttleWindow().toMinutes() + " minutes");
    }
    CompletionStage<Route> answer = access.verifyPassword(name, body.password()).thenCompose(account -> {
      if (account.isEmpty()) {
        throttle.failed(key);
        security.record(request, "session.open", name, "none", List.of(), 401, ErrorCode.AUTH_INVALID.code());
        return java.util.concurrent.CompletableFuture.completedFuture(
            error(ErrorCode.AUTH_INVALID, "wrong name or password"));
      }
      return access.openSession(name, settings.sessions().lifetime()).thenApply(opened -> {
        if (opened.session().isEmpty()) {
          AccessReply.Refused refused = (AccessReply.Refused) opened.reply();
          security.record(request, "session.open", name, "none", List.of(), refused.code().httpStatus(),
              refused.code().code());
          return error(refused.code(), refused.message());
        }
        throttle.succeeded(key);
        Identity identity = new Identity(name, Identity.Kind.SESSION, account.get().roles(), account.get().sites(),
            Optional.of(new Identity.SessionRef(opened.session().get().id(), opened.session().get().csrfToken())),
            opened.session().get().id(), opened.session().get().expiresAtMillis());
        security.record(request, "session.open", Optional.of(identity), 200, "ok");
        return complete(http.json(StatusCodes.OK, me(identity)).addHeader(SetCookie.create(cookie(opened.cookie(),
            Optional.of(settings.sessions().lifetime())))));
      });
    });
    return onSuccess(answer, route -> route);
  }

  private Route signOut(Identity identity) {
    if (identity.session().isEmpty()) {
      return error(ErrorCode.REQUEST_INVALID, "only a signed-in session signs out; a token is revoked instead");
    }
    return onSuccess(access.closeSession(identity.session().get().id()), reply -> complete(
        HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            .addHeader(SetCookie.create(cookie("", Optional.of(Duration.ZERO))))));
  }

  private HttpCookie cookie(String value, Optional<Duration> maxAge) {
    HttpCookie cookie = HttpCookie.create(settings.sessions().cookieName(), value)
        .withPath("/").withHttpOnly(true).withSameSite(SameSite.Strict).withSecure(secureCookies);
    return maxAge.map(age -> cookie.withMaxAge(age.toSeconds())).orElse(cookie);
  }

  /** What {@code /api/me} and sign-in answer. */
  static Map<String, Object> me(Identity identity) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", identity.name());
    body.put("kind", identity.kind().id());
    body.put("roles", identity.roles().stream().map(ConsoleRole::id).sorted().toList());
    body.put("sites", identity.sites().stream().sorted().toList());
    List<String> permissions = new ArrayList<>();
    for (Permission permission : Permission.values()) {
      if (identity.may(permission)) {
        permissions.add(permission.id());
      }
    }
    body.put("permissions", permissions);
    identity.session().ifPresent(session -> body.put("csrfToken", session.csrfToken()));
    return body;
  }

  private Route ownPassword(Identity identity, PasswordRequest body) {
    if (identity.kind() != Identity.Kind.SESSION) {
      return error(ErrorCode.REQUEST_INVALID, "only a signed-in account changes its own password");
    }
    if (body.current() == null) {
      return error(ErrorCode.REQUEST_INVALID, "'current' (the password now) is required");
    }
    Optional<Route> invalid = invalidPassword(body.password());
    if (invalid.isPresent()) {
      return invalid.get();
    }
    return onSuccess(access.verifyPassword(identity.name(), body.current()), account -> account.isEmpty()
        ? error(ErrorCode.AUTH_INVALID, "the current password is wrong")
        : onSuccess(access.setPassword(identity.name(), body.password(), identity.name()),
            issued -> reply(issued.reply(), directory -> Map.of("name", identity.name(), "signedOut", true))));
  }

  private Route resetPassword(Identity identity, String name, PasswordRequest body) {
    if (body.password() != null) {
      Optional<Route> invalid = invalidPassword(body.password());
      if (invalid.isPresent()) {
        return invalid.get();
      }
    }
    return onSuccess(access.setPassword(name, body.password(), identity.name()), issued -> reply(issued.reply(),
        directory -> withSecret(account(directory.accounts().get(name)), "password", issued.secret())));
  }

  private Route createAccount(Identity identity, AccountRequest body) {
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      return error(ErrorCode.REQUEST_INVALID, "name: 1 to 64 of A-Z a-z 0-9 . _ @ -");
    }
    if (body.password() != null) {
      Optional<Route> invalid = invalidPassword(body.password());
      if (invalid.isPresent()) {
        return invalid.get();
      }
    }
    return scoped(body.roles(), body.sites(), (roles, sites) ->
        onSuccess(access.createAccount(body.name(), body.password(), roles, sites, identity.name()),
            issued -> reply(issued.reply(), StatusCodes.CREATED,
                directory -> withSecret(account(directory.accounts().get(body.name())), "password", issued.secret()))));
  }

  /** {@code inner} with the request's roles and sites, or 400 {@code request.invalid} saying what is wrong with them. */
  private Route scoped(List<String> roleNames, List<String> siteNames,
      java.util.function.BiFunction<Set<ConsoleRole>, Set<String>, Route> inner) {
    Set<ConsoleRole> roles;
    Set<String> sites;
    try {
      roles = roles(roleNames);
      sites = Sites.of(siteNames);
    } catch (IllegalArgumentException e) {
      return error(ErrorCode.REQUEST_INVALID, e.getMessage());
    }
    return inner.apply(roles, sites);
  }

  private Route changeAccount(Identity identity, String name, AccountRequest body) {
    Optional<Account> was = access.view().account(name);
    if (was.isEmpty()) {
      return error(ErrorCode.ACCOUNT_UNKNOWN, "no account '" + name + "'");
    }
    Set<ConsoleRole> roles;
    Set<String> sites;
    try {
      roles = body.roles() == null ? was.get().roles() : roles(body.roles());
      sites = body.sites() == null ? was.get().sites() : Sites.of(body.sites());
    } catch (IllegalArgumentException e) {
      return error(ErrorCode.REQUEST_INVALID, e.getMessage());
    }
    boolean disabled = body.disabled() == null ? was.get().disabled() : body.disabled();
    boolean staysAdmin = !disabled && roles.contains(ConsoleRole.ADMIN) && Sites.all(sites);
    boolean otherAdmin = access.view().directory().accounts().values().stream().anyMatch(account ->
        !account.name().equals(name) && !account.disabled() && account.roles().contains(ConsoleRole.ADMIN)
            && Sites.all(account.sites()));
    if (!staysAdmin && !otherAdmin) {
      return error(ErrorCode.REQUEST_INVALID, "'" + name + "' is the last enabled admin of every site; make another first");
    }
    return onSuccess(access.changeAccount(name, roles, sites, disabled, identity.name()),
        reply -> reply(reply, directory -> account(directory.accounts().get(name))));
  }

  private Route createToken(Identity identity, TokenRequest body) {
    if (body.name() == null || !NAME.matcher(body.name()).matches()) {
      return error(ErrorCode.REQUEST_INVALID, "name: 1 to 64 of A-Z a-z 0-9 . _ @ -");
    }
    Duration lifetime = body.expiresInDays() == null ? settings.tokens().defaultLifetime()
        : Duration.ofDays(body.expiresInDays());
    if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(settings.tokens().maxLifetime()) > 0) {
      return error(ErrorCode.REQUEST_INVALID, "expiresInDays must be within 1.." + settings.tokens().maxLifetime().toDays());
    }
    return scoped(body.roles(), body.sites(), (roles, sites) ->
        onSuccess(access.createToken(body.name(), roles, sites, lifetime, identity.name()),
            issued -> reply(issued.reply(), StatusCodes.CREATED,
                directory -> withSecret(token(directory.tokens().get(issued.id())), "token", issued.secret()))));
  }

  private Route auditLog() {
    return parameterOptional("from", fromText -> parameterOptional("to", toText -> parameterOptional("limit", limitText -> {
      Instant from;
      Instant to;
      int limit;
      try {
        to = toText.map(Instant::parse).orElse(clock.instant().plusSeconds(1));
        from = fromText.map(Instant::parse).orElse(to.minus(Duration.ofDays(1)));
        limit = limitText.map(Integer::parseInt).orElse(100);
      } catch (DateTimeParseException | NumberFormatException e) {
        return error(ErrorCode.REQUEST_INVALID, "from and to are ISO-8601 instants (2026-12-07T10:00:00Z); limit a number");
      }
      if (!from.isBefore(to)) {
        return error(ErrorCode.RANGE_INVERTED, "from must be before to");
      }
      if (Duration.between(from, to).compareTo(settings.audit().maxRange()) > 0) {
        return error(ErrorCode.RANGE_TOO_WIDE, "at most " + settings.audit().maxRange().toDays() + " days per request");
      }
      if (limit < 1 || limit > settings.audit().maxPage()) {
        return error(ErrorCode.LIMIT_INVALID, "limit must be within 1.." + settings.audit().maxPage());
      }
      return onSuccess(security.audit().between(from, to, limit), entries -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("durable", security.audit().durable());
        body.put("entries", entries.stream().map(AccessRoutes::entry).toList());
        return json(StatusCodes.OK, body);
      });
    })));
  }

  private static Map<String, Object> entry(io.fleetpulse.api.audit.AuditEntry entry) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("at", entry.at().toString());
    body.put("who", entry.who());
    body.put("kind", entry.kind());
    body.put("roles", entry.roles());
    body.put("action", entry.action());
    body.put("target", entry.target());
    body.put("status", entry.status());
    body.put("outcome", entry.outcome());
    body.put("address", entry.address());
    return body;
  }

  private static Set<ConsoleRole> roles(List<String> names) {
    if (names == null || names.isEmpty()) {
      throw new IllegalArgumentException("roles must name at least one of viewer, operator, data, admin");
    }
    Set<ConsoleRole> roles = new LinkedHashSet<>();
    names.forEach(name -> roles.add(ConsoleRole.parse(name)));
    return roles;
  }

  private Optional<Route> invalidPassword(String password) {
    if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      return Optional.of(error(ErrorCode.REQUEST_INVALID,
          "a password is " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters"));
    }
    return Optional.empty();
  }

  static Map<String, Object> account(Account account) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", account.name());
    body.put("roles", account.roles().stream().map(ConsoleRole::id).sorted().toList());
    body.put("sites", account.sites().stream().sorted().toList());
    body.put("disabled", account.disabled());
    body.put("createdBy", account.createdBy());
    body.put("createdAt", Instant.ofEpochMilli(account.createdAtMillis()).toString());
    body.put("updatedAt", Instant.ofEpochMilli(account.updatedAtMillis()).toString());
    return body;
  }

  static Map<String, Object> token(ApiToken token) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", token.id());
    body.put("name", token.name());
    body.put("roles", token.roles().stream().map(ConsoleRole::id).sorted().toList());
    body.put("sites", token.sites().stream().sorted().toList());
    body.put("createdBy", token.createdBy());
    body.put("createdAt", Instant.ofEpochMilli(token.createdAtMillis()).toString());
    body.put("expiresAt", Instant.ofEpochMilli(token.expiresAtMillis()).toString());
    body.put("revoked", token.revoked());
    return body;
  }

  private static Map<String, Object> withSecret(Map<String, Object> body, String name, String secret) {
    if (secret != null) {
      body.put(name, secret);
    }
    return body;
  }

  private <T> Route body(Class<T> type, java.util.function.Function<T, Route> inner) {
    return entity(Jackson.unmarshaller(mapper, type), value -> value == null
        ? error(ErrorCode.REQUEST_INVALID, "a JSON object is required") : inner.apply(value));
  }

  private Route reply(AccessReply reply, java.util.function.Function<AccessDirectory, Object> body) {
    return reply(reply, StatusCodes.OK, body);
  }

  private Route reply(AccessReply reply, StatusCode status, java.util.function.Function<AccessDirectory, Object> body) {
    if (reply instanceof AccessReply.Refused refused) {
      return error(refused.code(), refused.message());
    }
    return json(status, body.apply(((AccessReply.Done) reply).directory()));
  }

  private Route reply(CompletionStage<AccessReply> reply, java.util.function.Function<AccessDirectory, Object> body) {
    return onSuccess(reply, answer -> reply(answer, body));
  }

  private Route json(StatusCode status, Object body) {
    return complete(http.json(status, body));
  }

  private Route error(ErrorCode code, String message) {
    return complete(http.error(code, message));
  }
}
