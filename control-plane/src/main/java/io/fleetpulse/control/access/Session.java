package io.fleetpulse.control.access;

import io.fleetpulse.api.CborSerializable;

/**
 * A signed-in dashboard session of an account. {@code hash}: the SHA-256 of the session cookie's
 * value; {@code csrfToken}: what every state-changing request of the session must send in the
 * {@code X-CSRF-Token} header (useless without the cookie, which scripts on other sites cannot read).
 */
public record Session(String id, String account, String hash, String csrfToken, long openedAtMillis,
    long expiresAtMillis) implements CborSerializable {}
