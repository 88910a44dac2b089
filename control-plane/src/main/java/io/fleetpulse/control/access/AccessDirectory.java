package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Every account, API token and open session of the console: the state of the one {@link
 * AccessEntity}, and what every node's {@link AccessView} holds. {@code revision} counts the
 * entity's events. Immutable; each change returns a new directory.
 */
public record AccessDirectory(Map<String, Account> accounts, Map<String, ApiToken> tokens,
    Map<String, Session> sessions, long revision, long updatedAtMillis) implements CborSerializable {

  /** The most sessions one account holds open; signing in once more closes its oldest. */
  public static final int MAX_SESSIONS_PER_ACCOUNT = 20;

  public static final AccessDirectory EMPTY = new AccessDirectory(Map.of(), Map.of(), Map.of(), 0, 0);

  public AccessDirectory {
    accounts = Map.copyOf(accounts);
    tokens = Map.copyOf(tokens);
    sessions = Map.copyOf(sessions);
  }

  AccessDirectory withAccount(Account account, long at) {
    Map<String, Account> changed = new HashMap<>(accounts);
    changed.put(account.name(), account);
    return new AccessDirectory(changed, tokens, sessions, revision, at).advanced(at);
  }

  AccessDirectory withToken(ApiToken token, long at) {
    Map<String, ApiToken> changed = new HashMap<>(tokens);
    changed.put(token.id(), token);
    return new AccessDirectory(accounts, changed, sessions, revision, at).advanced(at);
  }

  AccessDirectory withSessions(UnaryOperator<Map<String, Session>> change, long at) {
    return new AccessDirectory(accounts, tokens, change.apply(new HashMap<>(sessions)), revision, at).advanced(at);
  }

  /** One event later: sessions past their expiry are dropped, so the directory stays bounded. */
  private AccessDirectory advanced(long at) {
    Map<String, Session> open = new HashMap<>();
    sessions.forEach((id, session) -> {
      if (session.expiresAtMillis() > at) {
        open.put(id, session);
      }
    });
    return new AccessDirectory(accounts, tokens, open, revision + 1, at);
  }

  /** {@code sessions} without the given account's oldest ones beyond {@code keep}. */
  static Map<String, Session> trimmed(Map<String, Session> sessions, String account, int keep) {
    sessions.values().stream()
        .filter(session -> session.account().equals(account))
        .sorted(Comparator.comparingLong(Session::openedAtMillis).reversed())
        .skip(keep)
        .toList()
        .forEach(session -> sessions.remove(session.id()));
    return sessions;
  }
}
