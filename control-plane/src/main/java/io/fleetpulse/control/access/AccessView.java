package io.fleetpulse.control.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * This node's copy of the {@link AccessDirectory}, indexed for the HTTP API's every request: an
 * API token or a session cookie is found by the SHA-256 of what the caller sent, without asking
 * anyone. Fed by the entity's replication; an older directory never replaces a newer one.
 * Thread-safe: readers see one whole directory.
 */
public final class AccessView {

  private record Indexed(AccessDirectory directory, Map<String, ApiToken> tokens, Map<String, Session> sessions) {}

  private volatile Indexed current;

  public AccessView() {
    this.current = null;
  }

  /** Takes a directory the entity published (or answered), unless this view holds a newer one. */
  public synchronized void apply(AccessDirectory directory) {
    Indexed held = current;
    if (held != null && held.directory().revision() > directory.revision()) {
      return;
    }
    Map<String, ApiToken> tokens = new HashMap<>();
    directory.tokens().values().forEach(token -> tokens.put(token.hash(), token));
    Map<String, Session> sessions = new HashMap<>();
    directory.sessions().values().forEach(session -> sessions.put(session.hash(), session));
    current = new Indexed(directory, Map.copyOf(tokens), Map.copyOf(sessions));
  }

  /** Whether the directory has arrived since this node started: until then no one can be authenticated. */
  public boolean ready() {
    return current != null;
  }

  public AccessDirectory directory() {
    Indexed held = current;
    return held == null ? AccessDirectory.EMPTY : held.directory();
  }

  public Optional<Account> account(String name) {
    return Optional.ofNullable(directory().accounts().get(name));
  }

  /** The token whose SHA-256 is {@code hash}, valid or not. */
  public Optional<ApiToken> tokenByHash(String hash) {
    Indexed held = current;
    return held == null ? Optional.empty() : Optional.ofNullable(held.tokens().get(hash));
  }

  /** The open session whose cookie's SHA-256 is {@code hash}, expired or not. */
  public Optional<Session> sessionByHash(String hash) {
    Indexed held = current;
    return held == null ? Optional.empty() : Optional.ofNullable(held.sessions().get(hash));
  }

  /** SHA-256 of a token or cookie value, base64url: how the directory keys them. */
  public static String hash(String secret) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
