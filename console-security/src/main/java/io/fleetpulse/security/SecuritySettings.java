package io.fleetpulse.security;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code fleetpulse.security} in {@code reference.conf}. */
public record SecuritySettings(Accounts accounts, Sessions sessions, Tokens tokens, Optional<Oidc> oidc,
    int maxStreamsPerIdentity, Audit audit) {

  /** @param initialAdminPassword empty: generated at the cluster's first start and printed once */
  public record Accounts(int passwordHashIterations, Optional<String> initialAdminPassword, int maxFailedSignIns,
      Duration throttleWindow) {}

  public record Sessions(Duration lifetime, String cookieName) {}

  public record Tokens(Duration maxLifetime, Duration defaultLifetime, Optional<String> localAdminTokenFile,
      Optional<String> bootstrapAdminToken) {}

  public record Oidc(String issuer, String audience, String jwksUrl, List<String> algorithms, String nameClaim,
      String rolesClaim, String sitesClaim, Duration clockSkew, Duration cacheTtl, long cacheSize) {}

  public record Audit(int maxPage, Duration maxRange, int memoryCapacity, int pendingCapacity, Duration retryInterval) {}

  public static SecuritySettings fromConfig(Config root) {
    Config c = root.getConfig("fleetpulse.security");
    Config o = c.getConfig("oidc");
    Optional<Oidc> oidc = o.getString("jwks-url").isBlank() ? Optional.empty() : Optional.of(new Oidc(
        o.getString("issuer"), o.getString("audience"), o.getString("jwks-url"), o.getStringList("algorithms"),
        o.getString("name-claim"), o.getString("roles-claim"), o.getString("sites-claim"), o.getDuration("clock-skew"),
        o.getDuration("cache-ttl"), o.getLong("cache-size")));
    oidc.ifPresent(settings -> {
      if (settings.issuer().isBlank() || settings.audience().isBlank()) {
        throw new IllegalArgumentException("fleetpulse.security.oidc: issuer and audience are required with a jwks-url");
      }
      if (settings.algorithms().stream().anyMatch(a -> a.equalsIgnoreCase("none"))) {
        throw new IllegalArgumentException("fleetpulse.security.oidc.algorithms must not accept \"none\"");
      }
    });
    return new SecuritySettings(
        new Accounts(c.getInt("accounts.password-hash-iterations"), nonBlank(c.getString("accounts.initial-admin-password")),
            c.getInt("accounts.max-failed-sign-ins"), c.getDuration("accounts.throttle-window")),
        new Sessions(c.getDuration("sessions.lifetime"), c.getString("sessions.cookie-name")),
        new Tokens(c.getDuration("tokens.max-lifetime"), c.getDuration("tokens.default-lifetime"),
            nonBlank(c.getString("tokens.local-admin-token-file")), bootstrapToken(c.getString("tokens.bootstrap-admin-token"))),
        oidc, c.getInt("max-streams-per-identity"),
        new Audit(c.getInt("audit.max-page"), c.getDuration("audit.max-range"), c.getInt("audit.memory-capacity"),
            c.getInt("audit.pending-capacity"), c.getDuration("audit.retry-interval")));
  }

  private static Optional<String> bootstrapToken(String value) {
    if (!value.isBlank() && (!value.startsWith("fpt_") || value.length() < 44)) {
      throw new IllegalArgumentException("fleetpulse.security.tokens.bootstrap-admin-token must be fpt_ and at least 40"
          + " more characters");
    }
    return nonBlank(value);
  }

  private static Optional<String> nonBlank(String value) {
    return value.isBlank() ? Optional.empty() : Optional.of(value);
  }
}
