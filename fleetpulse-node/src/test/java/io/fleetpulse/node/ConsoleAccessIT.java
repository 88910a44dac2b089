package io.fleetpulse.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.control.access.Permission;
import io.fleetpulse.gateway.tls.LocalCa;
import io.fleetpulse.node.console.OpenApiRoutes;
import io.fleetpulse.security.AccessRules;
import io.fleetpulse.testkit.SharedCassandra;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may use what, tried against a real node over HTTPS (a keystore from the local CA), with
 * Cassandra for the audit log. For every route docs/openapi.yaml documents: without an identity
 * 401, with a role that may not 403, with a site scope that does not cover it 403, with a role
 * that may, through the gate to the route itself. Then a session's cookie and CSRF token, an
 * identity provider's JWT, a revoked token, sign-in throttling, the stream limit, and the audit
 * entries of it all.
 */
class ConsoleAccessIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SITE = "plant-1";
  private static final String DEVICE = "matrix-1";
  private static final String ISSUER = "https://idp.example/realms/plant";

  @RegisterExtension
  static final SharedCassandra CASSANDRA = new SharedCassandra();

  @TempDir
  Path directory;

  private HttpClient http;
  private String base;

  private record Answer(int status, String code, JsonNode body, java.net.http.HttpHeaders headers) {}

  @Test
  void every_route_answers_by_its_rule_and_every_change_is_audited() throws Exception {
    LocalCa ca = LocalCa.open(directory.resolve("ca"), List.of("localhost", "127.0.0.1"));
    RSAKey idpKey = new RSAKeyGenerator(2048).keyID("idp-1").generate();
    HttpServer jwks = jwks(idpKey);
    Config config = ConfigFactory.parseString("""
            fleetpulse.node.http.tls.keystore = "%s"
            fleetpulse.node.http.tls.password = "%s"
            fleetpulse.security.max-streams-per-identity = 2
            fleetpulse.node.alerts.stream-keep-alive = 1s
            fleetpulse.security.accounts.max-failed-sign-ins = 3
            fleetpulse.security.oidc {
              issuer = "%s", audience = fleetpulse, jwks-url = "http://127.0.0.1:%d/certs"
            }
            """.formatted(ca.brokerKeyStore().toString().replace("\\", "/"), ca.keyStorePassword(), ISSUER,
            jwks.getAddress().getPort()))
        .withFallback(NodeTestSupport.nodeConfigStoringIn(CASSANDRA, CASSANDRA.emptyKeyspace(),
            "console", NodeTestSupport.freePort(), directory.resolve("broker")));
    http = HttpClient.newBuilder().sslContext(trusting(ca)).connectTimeout(Duration.ofSeconds(5)).build();
    try (RunningNode node = FleetPulseNode.start(config)) {
      assertThat(node.httpUrl()).startsWith("https://");
      base = node.httpUrl();
      String admin = NodeTestSupport.adminToken();
      assertThat(send("PUT", "/api/devices/" + DEVICE, "{\"site\":\"" + SITE + "\",\"profile\":\"rotating-machine\"}",
          admin).status()).isEqualTo(200);
      Map<Permission, String> may = new EnumMap<>(Map.of(
          Permission.VIEW, token(admin, "matrix-viewer", "viewer", "*"),
          Permission.OPERATE, token(admin, "matrix-operator", "operator", "*"),
          Permission.QUERY, token(admin, "matrix-data", "data", "*"),
          Permission.ADMINISTER, token(admin, "matrix-admin", "admin", "*")));
      Map<Permission, String> mayNot = Map.of(Permission.VIEW, may.get(Permission.QUERY),
          Permission.OPERATE, may.get(Permission.VIEW), Permission.QUERY, may.get(Permission.VIEW),
          Permission.ADMINISTER, may.get(Permission.OPERATE));
      Map<Permission, String> elsewhere = new EnumMap<>(Map.of(
          Permission.VIEW, token(admin, "elsewhere-viewer", "viewer", "plant-2"),
          Permission.OPERATE, token(admin, "elsewhere-operator", "operator", "plant-2"),
          Permission.QUERY, token(admin, "elsewhere-data", "data", "plant-2"),
          Permission.ADMINISTER, token(admin, "elsewhere-admin", "admin", "plant-2")));
      String spareToken = JSON.readTree(send("POST", "/api/tokens",
          "{\"name\":\"spare\",\"roles\":[\"viewer\"],\"sites\":[\"*\"]}", admin).body().toString()).path("id").asText();
      assertThat(send("POST", "/api/accounts", "{\"name\":\"spare\",\"roles\":[\"viewer\"],\"sites\":[\"*\"]}", admin).status())
          .isEqualTo(201);

      AccessRules rules = AccessRules.node();
      List<OpenApiRoutes.Route> routes = OpenApiRoutes.read().routes();
      // Refusals first: they change nothing.
      for (OpenApiRoutes.Route route : routes) {
        AccessRules.Rule rule = ((AccessRules.Found) rules.match(route.method(), route.template())).rule();
        String path = concrete(route.template(), spareToken);
        String what = route.method() + " " + route.template();
        if (rule.access() == AccessRules.Access.PUBLIC) {
          assertThat(passed(send(route.method(), path, "{}", null))).as("%s without identity", what).isTrue();
          continue;
        }
        Answer anonymous = send(route.method(), path, "{}", null);
        assertThat(anonymous.status()).as("%s without identity", what).isEqualTo(401);
        assertThat(anonymous.code()).as("%s without identity", what).isEqualTo("auth.required");
        if (rule.access() == AccessRules.Access.PERMITTED) {
          Answer denied = send(route.method(), path, "{}", mayNot.get(rule.permission()));
          assertThat(denied.status()).as("%s with a role without %s", what, rule.permission()).isEqualTo(403);
          assertThat(denied.code()).as("%s", what).isEqualTo("access.denied");
          if (rule.scope() != AccessRules.Scope.NONE) {
            Answer outside = send(route.method(), path, "{}", elsewhere.get(rule.permission()));
            assertThat(outside.status()).as("%s scoped to another site", what).isEqualTo(403);
            assertThat(outside.code()).as("%s", what).isEqualTo("access.site-denied");
          }
        }
      }
      // Then through the gate, each route with a role that may use it.
      for (OpenApiRoutes.Route route : routes) {
        AccessRules.Rule rule = ((AccessRules.Found) rules.match(route.method(), route.template())).rule();
        String token = rule.access() == AccessRules.Access.PERMITTED ? may.get(rule.permission()) : may.get(Permission.VIEW);
        Answer allowed = send(route.method(), concrete(route.template(), spareToken), "{}", token);
        assertThat(passed(allowed)).as("%s %s reached its route: %s", route.method(), route.template(), allowed.body())
            .isTrue();
      }

      // A device id spelled with percent-escapes is the same device for the site check; a device
      // the node does not know is outside every scope but all sites.
      assertThat(send("GET", "/api/devices/matrix%2D1", null, elsewhere.get(Permission.VIEW)).code())
          .isEqualTo("access.site-denied");
      assertThat(send("GET", "/api/devices/matrix%2D1", null, may.get(Permission.VIEW)).code())
          .as("the route's answer for matrix-1, decommissioned by the pass above").isEqualTo("device.decommissioned");
      assertThat(send("GET", "/api/devices/nobody", null, elsewhere.get(Permission.VIEW)).code())
          .isEqualTo("access.site-denied");
      assertThat(send("GET", "/api/devices/nobody", null, may.get(Permission.VIEW)).code()).isEqualTo("device.unknown");

      // A dashboard session: the cookie is HttpOnly, SameSite=Strict and Secure under HTTPS; its
      // changes need the CSRF token; it ends on sign-out.
      assertThat(send("POST", "/api/accounts", "{\"name\":\"ada\",\"roles\":[\"operator\"],\"sites\":[\"" + SITE
          + "\"],\"password\":\"correct horse battery\"}", admin).status()).isEqualTo(201);
      Answer signIn = send("POST", "/api/session", "{\"name\":\"ada\",\"password\":\"correct horse battery\"}", null);
      assertThat(signIn.status()).isEqualTo(200);
      String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict").contains("Secure");
      String cookie = setCookie.substring(0, setCookie.indexOf(';'));
      String csrf = signIn.body().path("csrfToken").asText();
      // matrix-1 was decommissioned by the pass above: the session acts on a device still in service.
      assertThat(send("PUT", "/api/devices/matrix-2", "{\"site\":\"" + SITE + "\",\"profile\":\"rotating-machine\"}",
          admin).status()).isEqualTo(200);
      String acknowledge = "/api/devices/matrix-2/alerts/" + UUID.randomUUID() + "/acknowledge";
      assertThat(sendWith("POST", acknowledge, "", Map.of("Cookie", cookie)).code()).isEqualTo("access.csrf");
      assertThat(sendWith("POST", acknowledge, "", Map.of("Cookie", cookie, "X-CSRF-Token", csrf)).code())
          .as("through the gate to the device's actor").isEqualTo("alert.unknown");
      assertThat(sendWith("GET", "/api/fleet/summary", null, Map.of("Cookie", cookie)).code())
          .as("the fleet summary covers every site; ada has one").isEqualTo("access.site-denied");
      assertThat(sendWith("GET", "/api/sites/" + SITE + "/alerts/summary", null, Map.of("Cookie", cookie)).status())
          .isEqualTo(200);
      assertThat(sendWith("DELETE", "/api/session", null, Map.of("Cookie", cookie, "X-CSRF-Token", csrf)).status())
          .isEqualTo(204);
      assertThat(sendWith("GET", "/api/me", null, Map.of("Cookie", cookie)).status()).isEqualTo(401);

      // The identity provider's JWT: valid, its roles apply; unsigned, refused.
      Instant now = Instant.now();
      JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience("fleetpulse").subject("u-1")
          .claim("preferred_username", "grace").claim("roles", List.of("viewer"))
          .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(idpKey.getKeyID()).build(), claims);
      jwt.sign(new RSASSASigner(idpKey));
      Answer me = send("GET", "/api/me", null, jwt.serialize());
      assertThat(me.body().path("name").asText()).isEqualTo("grace");
      assertThat(me.body().path("kind").asText()).isEqualTo("oidc");
      assertThat(send("GET", "/api/fleet/summary", null, jwt.serialize()).status()).isEqualTo(200);
      assertThat(send("POST", acknowledge, "", jwt.serialize()).code()).isEqualTo("access.denied");
      assertThat(send("GET", "/api/me", null, new PlainJWT(claims).serialize()).code()).isEqualTo("auth.invalid");

      // A revoked token is refused at once.
      String revoked = token(admin, "short-lived", "viewer", "*");
      String revokedId = send("GET", "/api/me", null, revoked).status() == 200 ? tokenId(admin, "short-lived") : null;
      assertThat(send("DELETE", "/api/tokens/" + revokedId, null, admin).status()).isEqualTo(200);
      Answer afterRevoke = send("GET", "/api/me", null, revoked);
      assertThat(afterRevoke.code()).isEqualTo("auth.invalid");
      assertThat(afterRevoke.body().path("message").asText()).contains("revoked");

      // Sign-in throttling: three wrong passwords, then even the right one waits.
      for (int i = 0; i < 3; i++) {
        assertThat(send("POST", "/api/session", "{\"name\":\"ada\",\"password\":\"wrong password " + i + "\"}", null).code())
            .isEqualTo("auth.invalid");
      }
      assertThat(send("POST", "/api/session", "{\"name\":\"ada\",\"password\":\"correct horse battery\"}", null).code())
          .isEqualTo("auth.throttled");

      // Live streams per identity: two, not three; revoking the token ends them (at the next
      // heartbeat: one a second here).
      String streamer = token(admin, "streamer", "viewer", "*");
      List<InputStream> streams = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        HttpResponse<InputStream> stream = http.send(request("/api/alerts/stream", streamer).GET().build(),
            HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        streams.add(stream.body());
      }
      assertThat(send("GET", "/api/alerts/stream", null, streamer).code()).isEqualTo("stream.limit");
      assertThat(send("DELETE", "/api/tokens/" + tokenId(admin, "streamer"), null, admin).status()).isEqualTo(200);
      for (InputStream stream : streams) {
        java.util.concurrent.CompletableFuture<Boolean> ended = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          try {
            while (stream.read() >= 0) {
              // heartbeats until the node ends the stream
            }
            return true;
          } catch (IOException e) {
            return true;
          }
        });
        assertThat(ended.get(30, java.util.concurrent.TimeUnit.SECONDS)).as("the revoked token's stream ended").isTrue();
        stream.close();
      }

      // The audit log: the refusals and the changes above, by whom, from where, stored.
      JsonNode audit = send("GET", "/api/audit?limit=1000", null, admin).body();
      assertThat(audit.path("durable").asBoolean()).isTrue();
      List<String> entries = new ArrayList<>();
      audit.path("entries").forEach(entry -> entries.add(entry.path("who").asText() + " " + entry.path("action").asText()
          + " " + entry.path("outcome").asText() + " " + entry.path("address").asText()));
      assertThat(entries).contains(
          "token:bootstrap device.register ok 127.0.0.1",
          "token:matrix-operator device.register access.denied 127.0.0.1",
          "token:elsewhere-admin device.decommission access.site-denied 127.0.0.1",
          "anonymous device.decommission auth.required 127.0.0.1",
          "token:matrix-admin device.decommission ok 127.0.0.1",
          "ada session.open ok 127.0.0.1",
          "ada alert.acknowledge access.csrf 127.0.0.1",
          "ada alert.acknowledge refused 127.0.0.1",
          "ada session.close ok 127.0.0.1",
          "ada session.open auth.invalid 127.0.0.1",
          "ada session.open auth.throttled 127.0.0.1",
          "token:bootstrap token.revoke ok 127.0.0.1");
      assertThat(entries).noneMatch(entry -> entry.contains(" fleet.summary "));
    } finally {
      jwks.stop(0);
    }
  }

  /**
   * Whether the gate let the request through to its route: no refusal of the console's (an
   * {@code auth.*} or {@code access.*} code), and neither an unknown route nor a wrong method.
   * The route's own answer may be any other: the broker-access routes check their own key.
   */
  private static boolean passed(Answer answer) {
    return !answer.code().startsWith("auth.") && !answer.code().startsWith("access.")
        && !answer.code().equals("route.unknown") && answer.status() != 405;
  }

  private String concrete(String template, String spareToken) {
    return template.replace("{deviceId}", DEVICE).replace("{site}", SITE)
        .replace("{alertId}", UUID.randomUUID().toString()).replace("{model}", "rul-fd001").replace("{version}", "1")
        .replace("{resource}", "alerts").replace("{name}", "spare").replace("{tokenId}", spareToken);
  }

  private String token(String admin, String name, String role, String site) throws Exception {
    Answer created = send("POST", "/api/tokens",
        "{\"name\":\"" + name + "\",\"roles\":[\"" + role + "\"],\"sites\":[\"" + site + "\"]}", admin);
    assertThat(created.status()).as("%s", created.body()).isEqualTo(201);
    return created.body().path("token").asText();
  }

  private String tokenId(String admin, String name) throws Exception {
    for (JsonNode token : send("GET", "/api/tokens", null, admin).body().path("tokens")) {
      if (token.path("name").asText().equals(name)) {
        return token.path("id").asText();
      }
    }
    throw new AssertionError("no token " + name);
  }

  private HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private Answer send(String method, String path, String body, String token) throws Exception {
    return sendWith(method, path, body, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
  }

  private Answer sendWith(String method, String path, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null || method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && !method.equals("GET")) {
      request.header("Content-Type", "application/json");
    }
    headers.forEach(request::header);
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    String text;
    try (InputStream in = response.body()) {
      // A live stream that was let through never ends: its answer's start is enough.
      text = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")
          ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    JsonNode json;
    try {
      json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      json = JSON.createObjectNode().put("text", text.length() > 200 ? text.substring(0, 200) : text);
    }
    return new Answer(response.statusCode(), json.path("code").asText(""), json, response.headers());
  }

  private static SSLContext trusting(LocalCa ca) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("fleetpulse-ca", ca.caCertificate());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static HttpServer jwks(RSAKey key) throws IOException {
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/certs", exchange -> {
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }
}
