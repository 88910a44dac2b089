package io.fleetpulse.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.fleetpulse.control.access.ConsoleRole;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The identity provider's JWTs against a JWKS served over HTTP by the test itself, signed with
 * keys the test made: a valid token is an identity with its roles and sites; an expired one, one
 * for another audience or from another issuer, one signed by a key the JWKS does not hold, and an
 * unsigned {@code alg: none} one are each refused.
 */
class JwtValidatorTest {

  private static final String ISSUER = "https://idp.plant.example/realms/plant";
  private static final String AUDIENCE = "fleetpulse";
  private static RSAKey key;
  private static RSAKey stranger;
  private static HttpServer jwks;
  private static ExecutorService executor;
  private static JwtValidator validator;

  @BeforeAll
  static void identityProvider() throws Exception {
    key = new RSAKeyGenerator(2048).keyID("plant-key-1").generate();
    stranger = new RSAKeyGenerator(2048).keyID("plant-key-1").generate();
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwks.createContext("/certs", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwks.start();
    executor = Executors.newSingleThreadExecutor();
    SecuritySettings.Oidc oidc = new SecuritySettings.Oidc(ISSUER, AUDIENCE,
        "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs", List.of("RS256"), "preferred_username",
        "realm_access.roles", "sites", Duration.ofSeconds(60), Duration.ofMinutes(5), 100);
    validator = new JwtValidator(oidc, executor, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    jwks.stop(0);
    executor.shutdownNow();
  }

  private static JWTClaimsSet.Builder claims() {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("u-17")
        .claim("preferred_username", "grace").claim("realm_access", Map.of("roles", List.of("operator", "offline_access")))
        .claim("sites", List.of("plant-1")).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  private static String signed(JWTClaimsSet claims, RSAKey with) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID())
        .type(JOSEObjectType.JWT).build(), claims);
    jwt.sign(new RSASSASigner(with));
    return jwt.serialize();
  }

  private static String refusal(String token) {
    assertThatThrownBy(() -> validator.validate(token).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(JwtValidator.Refused.class);
    try {
      validator.validate(token).toCompletableFuture().join();
      return "";
    } catch (CompletionException e) {
      return e.getCause().getMessage();
    }
  }

  @Test
  void a_valid_token_is_its_name_roles_and_sites() throws Exception {
    String token = signed(claims().build(), key);
    Identity identity = validator.validate(token).toCompletableFuture().join();
    assertThat(identity.name()).isEqualTo("grace");
    assertThat(identity.kind()).isEqualTo(Identity.Kind.OIDC);
    assertThat(identity.roles()).containsExactly(ConsoleRole.OPERATOR);
    assertThat(identity.sites()).containsExactly("plant-1");
    assertThat(validator.remembered(token)).contains(identity);
  }

  @Test
  void an_expired_token_is_refused() throws Exception {
    Instant past = Instant.now().minusSeconds(600);
    assertThat(refusal(signed(claims().issueTime(Date.from(past.minusSeconds(300))).expirationTime(Date.from(past)).build(), key)))
        .containsIgnoringCase("expired");
  }

  @Test
  void a_token_for_another_audience_is_refused() throws Exception {
    assertThat(refusal(signed(claims().audience("another-app").build(), key))).contains("aud");
  }

  @Test
  void a_token_from_another_issuer_is_refused() throws Exception {
    assertThat(refusal(signed(claims().issuer("https://evil.example").build(), key))).containsIgnoringCase("iss");
  }

  @Test
  void a_token_signed_by_another_key_is_refused() throws Exception {
    assertThat(refusal(signed(claims().build(), stranger))).containsIgnoringCase("signature");
  }

  @Test
  void an_unsigned_alg_none_token_is_refused() {
    String none = new PlainJWT(claims().build()).serialize();
    assertThat(none).endsWith(".");
    assertThat(refusal(none)).isNotBlank();
    assertThat(validator.remembered(none)).isEmpty();
  }

  @Test
  void a_token_without_a_fleetpulse_role_is_refused() throws Exception {
    assertThat(refusal(signed(claims().claim("realm_access", Map.of("roles", List.of("offline_access"))).build(), key)))
        .contains("viewer, operator, data, admin");
  }

  @Test
  void a_token_without_a_sites_claim_covers_every_site() throws Exception {
    Identity identity = validator.validate(signed(claims().claim("sites", null).build(), key)).toCompletableFuture().join();
    assertThat(identity.allSites()).isTrue();
    assertThat(identity.sites()).isEqualTo(Set.of("*"));
  }
}
