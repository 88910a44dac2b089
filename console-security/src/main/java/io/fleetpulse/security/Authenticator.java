package io.fleetpulse.security;

import io.fleetpulse.api.error.ErrorCode;
import io.fleetpulse.control.access.Account;
import io.fleetpulse.control.access.AccessView;
import io.fleetpulse.control.access.ApiToken;
import io.fleetpulse.control.access.Session;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Finds who a request is from: an {@code Authorization: Bearer} API token ({@code fpt_...}) or
 * identity-provider JWT, else the session cookie. Tokens and sessions are looked up in this
 * node's {@link AccessView} by the SHA-256 of what was sent; a JWT is validated by the {@link
 * JwtValidator}, or taken from its memory of tokens validated before.
 */
public final class Authenticator {

  /** What the request proved. */
  public sealed interface Outcome {}

  public record Authenticated(Identity identity) implements Outcome {}

  /** No identity, or a refused one: the answer's code and sentence. */
  public record Refused(ErrorCode code, String message) implements Outcome {}

  static final String TOKEN_PREFIX = "fpt_";

  private final AccessView view;
  private final Optional<JwtValidator> jwt;
  private final Clock clock;

  public Authenticator(AccessView view, Optional<JwtValidator> jwt, Clock clock) {
    this.view = view;
    this.jwt = jwt;
    this.clock = clock;
  }

  /**
   * @param authorization the {@code Authorization} header, if any
   * @param cookie the session cookie's value, if any
   * @return at once, except for a JWT this node has not validated yet
   */
  public CompletionStage<Outcome> authenticate(Optional<String> authorization, Optional<String> cookie) {
    if (!view.ready()) {
      return done(new Refused(ErrorCode.AUTH_NOT_READY, "this node has not loaded the console's accounts yet; retry"));
    }
    if (authorization.isPresent()) {
      String value = authorization.get().strip();
      if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        return done(new Refused(ErrorCode.AUTH_INVALID, "the Authorization header must be 'Bearer <token>'"));
      }
      String token = value.substring(7).strip();
      if (token.startsWith(TOKEN_PREFIX)) {
        return done(apiToken(token));
      }
      if (jwt.isEmpty()) {
        return done(new Refused(ErrorCode.AUTH_INVALID, "not an API token, and no identity provider is configured"));
      }
      Optional<Identity> remembered = jwt.get().remembered(token);
      if (remembered.isPresent()) {
        return done(new Authenticated(remembered.get()));
      }
      return jwt.get().validate(token).<Outcome>thenApply(Authenticated::new).exceptionally(failure -> {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
        return new Refused(ErrorCode.AUTH_INVALID, cause instanceof JwtValidator.Refused refused
            ? refused.getMessage() : "the identity provider's keys could not be read: " + cause.getClass().getSimpleName());
      });
    }
    if (cookie.isPresent()) {
      return done(session(cookie.get()));
    }
    return done(new Refused(ErrorCode.AUTH_REQUIRED, "sign in, or send 'Authorization: Bearer <token>'"));
  }

  /**
   * Whether the credential that proved {@code identity} still holds now: a live stream asks on
   * every tick, so that a revoked token, a closed session or a disabled account ends it at once.
   */
  public boolean stillValid(Identity identity) {
    long now = clock.millis();
    if (now >= identity.expiresAtMillis()) {
      return false;
    }
    return switch (identity.kind()) {
      case API_TOKEN -> Optional.ofNullable(view.directory().tokens().get(identity.credentialId()))
          .filter(token -> token.validAt(now)).isPresent();
      case SESSION -> Optional.ofNullable(view.directory().sessions().get(identity.credentialId())).isPresent()
          && view.account(identity.name()).filter(account -> !account.disabled()).isPresent();
      case OIDC -> true;
    };
  }

  private Outcome apiToken(String token) {
    Optional<ApiToken> found = view.tokenByHash(io.fleetpulse.control.access.AccessView.hash(token));
    if (found.isEmpty()) {
      return new Refused(ErrorCode.AUTH_INVALID, "unknown API token");
    }
    ApiToken apiToken = found.get();
    if (!apiToken.validAt(clock.millis())) {
      return new Refused(ErrorCode.AUTH_INVALID, apiToken.revoked() ? "the API token was revoked" : "the API token expired");
    }
    return new Authenticated(new Identity("token:" + apiToken.name(), Identity.Kind.API_TOKEN, apiToken.roles(),
        apiToken.sites(), Optional.empty(), apiToken.id(), apiToken.expiresAtMillis()));
  }

  private Outcome session(String cookie) {
    Optional<Session> found = view.sessionByHash(AccessView.hash(cookie));
    if (found.isEmpty() || found.get().expiresAtMillis() <= clock.millis()) {
      return new Refused(ErrorCode.AUTH_REQUIRED, "the session ended (signed out or expired); sign in again");
    }
    Session session = found.get();
    Optional<Account> account = view.account(session.account()).filter(a -> !a.disabled());
    if (account.isEmpty()) {
      return new Refused(ErrorCode.AUTH_REQUIRED, "the session's account is disabled");
    }
    return new Authenticated(new Identity(account.get().name(), Identity.Kind.SESSION, account.get().roles(),
        account.get().sites(), Optional.of(new Identity.SessionRef(session.id(), session.csrfToken())), session.id(),
        session.expiresAtMillis()));
  }

  private static CompletionStage<Outcome> done(Outcome outcome) {
    return CompletableFuture.completedFuture(outcome);
  }
}
