package io.fleetpulse.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.control.access.Sites;
import java.net.MalformedURLException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Validates the identity provider's bearer JWTs with Nimbus JOSE+JWT: the signature against the
 * issuer's JWKS (fetched and cached by Nimbus, refetched for an unknown key id), one of the
 * configured algorithms (an unsigned {@code alg: none} token never passes), the issuer, the
 * audience, expiry and not-before within the clock skew. A valid token is remembered until it
 * expires (at most {@code cache-ttl}), so a client's every request does not pay a signature check;
 * validation itself runs on {@code executor}, as fetching the JWKS blocks.
 */
public final class JwtValidator {

  /** Why a token was refused, in a sentence for the caller. */
  public static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private record Valid(Identity identity, long expiresAtMillis) {}

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final SecuritySettings.Oidc settings;
  private final Executor executor;
  private final Clock clock;
  private final Cache<String, Valid> valid;

  public JwtValidator(SecuritySettings.Oidc settings, Executor executor, Clock clock) {
    this(settings, jwks(settings.jwksUrl()), executor, clock);
  }

  JwtValidator(SecuritySettings.Oidc settings, JWKSource<SecurityContext> keys, Executor executor, Clock clock) {
    this.settings = settings;
    this.executor = executor;
    this.clock = clock;
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    settings.algorithms().forEach(name -> algorithms.add(JWSAlgorithm.parse(name)));
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
    DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(settings.audience(),
        new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp", "sub"));
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
    this.valid = Caffeine.newBuilder()
        .maximumSize(settings.cacheSize())
        .expireAfter(Expiry.<String, Valid>creating((token, entry) -> java.time.Duration.ofMillis(Math.max(0,
            Math.min(settings.cacheTtl().toMillis(), entry.expiresAtMillis() - clock.millis())))))
        .build();
  }

  private static JWKSource<SecurityContext> jwks(String url) {
    try {
      return JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL()).retrying(true).build();
    } catch (MalformedURLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("fleetpulse.security.oidc.jwks-url is not a URL: " + url, e);
    }
  }

  /** The token's identity if it was validated before and has not expired since: no work, no waiting. */
  public Optional<Identity> remembered(String token) {
    Valid entry = valid.getIfPresent(token);
    return entry != null && entry.expiresAtMillis() > clock.millis() ? Optional.of(entry.identity()) : Optional.empty();
  }

  /** Validates the token on the executor; fails with {@link Refused} when it is not valid. */
  public CompletionStage<Identity> validate(String token) {
    Optional<Identity> known = remembered(token);
    if (known.isPresent()) {
      return CompletableFuture.completedFuture(known.get());
    }
    return CompletableFuture.supplyAsync(() -> {
      try {
        JWTClaimsSet claims = processor.process(token, null);
        Identity identity = identity(claims);
        valid.put(token, new Valid(identity, claims.getExpirationTime().getTime()));
        return identity;
      } catch (java.text.ParseException e) {
        throw new java.util.concurrent.CompletionException(new Refused("the bearer token is not a JWT"));
      } catch (com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
        throw new java.util.concurrent.CompletionException(new Refused("the JWT is not valid: " + e.getMessage()));
      }
    }, executor);
  }

  private Identity identity(JWTClaimsSet claims) throws com.nimbusds.jose.proc.BadJOSEException {
    Object nameClaim = claim(claims.getClaims(), settings.nameClaim());
    String name = nameClaim instanceof String text && !text.isBlank() ? text : claims.getSubject();
    Set<ConsoleRole> roles = new LinkedHashSet<>();
    for (String role : strings(claim(claims.getClaims(), settings.rolesClaim()))) {
      try {
        roles.add(ConsoleRole.parse(role));
      } catch (IllegalArgumentException e) {
        // The identity provider's other roles are not FleetPulse's.
      }
    }
    if (roles.isEmpty()) {
      throw new com.nimbusds.jwt.proc.BadJWTException("the JWT's '" + settings.rolesClaim() + "' claim holds none of"
          + " viewer, operator, data, admin");
    }
    Object sitesClaim = claim(claims.getClaims(), settings.sitesClaim());
    Set<String> sites = sitesClaim == null ? Set.of(Sites.ALL) : Sites.of(strings(sitesClaim));
    return new Identity(name, Identity.Kind.OIDC, roles, sites, Optional.empty(), claims.getSubject(),
        claims.getExpirationTime().getTime());
  }

  /** The claim at a dotted path ({@code realm_access.roles}), or null. */
  private static Object claim(Map<String, Object> claims, String path) {
    Object at = claims;
    for (String part : path.split("\\.")) {
      if (!(at instanceof Map<?, ?> map)) {
        return null;
      }
      at = map.get(part);
    }
    return at;
  }

  private static List<String> strings(Object claim) {
    List<String> values = new ArrayList<>();
    if (claim instanceof String text) {
      for (String part : text.split("[ ,]")) {
        if (!part.isBlank()) {
          values.add(part);
        }
      }
    } else if (claim instanceof Collection<?> list) {
      list.forEach(value -> values.add(String.valueOf(value)));
    }
    return values;
  }
}
