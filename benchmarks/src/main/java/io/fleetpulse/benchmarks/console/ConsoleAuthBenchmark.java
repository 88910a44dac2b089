package io.fleetpulse.benchmarks.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.fleetpulse.api.profile.DeviceProfiles;
import io.fleetpulse.control.access.AccessDirectory;
import io.fleetpulse.control.access.AccessView;
import io.fleetpulse.control.access.Account;
import io.fleetpulse.control.access.ApiToken;
import io.fleetpulse.control.access.ConsoleRole;
import io.fleetpulse.control.access.Session;
import io.fleetpulse.security.AccessRules;
import io.fleetpulse.security.Authenticator;
import io.fleetpulse.security.ConsoleSecurity;
import io.fleetpulse.security.JwtValidator;
import io.fleetpulse.security.MemoryAuditLog;
import io.fleetpulse.security.SecuritySettings;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What the console's gate costs a read route: {@code GET /api/profiles} (the node's profiles as
 * JSON, the same handler) served bare, as before issue 25, and behind {@link ConsoleSecurity}
 * with an API token, a session cookie and an identity provider's JWT (validated once, then
 * remembered), in one JVM and one run, interleaved; and the bare route sent the cookie or the
 * JWT too (ignored), which separates what carrying a credential costs HTTP from what the gate
 * costs. Last, the gate's own work per request without HTTP. Each variant runs {@code seconds} with
 * {@code clients} closed-loop HTTP/1.1 keep-alive clients on loopback, in a warm-up round and
 * five measured rounds of rotating order; printed per variant: the median requests per second,
 * its ratio to the bare route, and the median process CPU time per request (server and clients
 * together).
 *
 * <p>Usage: {@code ConsoleAuthBenchmark [clients=16] [seconds=5]}
 */
public final class ConsoleAuthBenchmark {

  private static final String TOKEN = "fpt_bench_0123456789abcdef0123456789abcdef0123456789";
  private static final String COOKIE = "bench-session-cookie-value-0123456789abcdef";

  private ConsoleAuthBenchmark() {}

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Config config = ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.http.server.max-connections = 4096")
        .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "console-bench", config);
    ObjectMapper mapper = new ObjectMapper();
    byte[] profiles = mapper.writeValueAsBytes(DeviceProfiles.fromConfig(config).all().stream()
        .map(profile -> profile.name()).toList());
    Route route = Directives.path(org.apache.pekko.http.javadsl.server.PathMatchers.segment("api").slash("profiles"), () -> Directives.get(() ->
        Directives.complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, profiles))));

    RSAKey key = new RSAKeyGenerator(2048).keyID("bench").generate();
    HttpServer jwks = jwks(key);
    SecuritySettings settings = SecuritySettings.fromConfig(ConfigFactory.parseString(
        "fleetpulse.security.oidc { issuer = \"https://idp.bench\", audience = fleetpulse, jwks-url = \"http://127.0.0.1:"
            + jwks.getAddress().getPort() + "/certs\" }").withFallback(config).resolve());
    AccessView view = new AccessView();
    long now = System.currentTimeMillis();
    long later = now + Duration.ofDays(1).toMillis();
    view.apply(new AccessDirectory(
        Map.of("ada", new Account("ada", "unused", Set.of(ConsoleRole.VIEWER), Set.of("*"), false, "bench", now, now)),
        Map.of("t1", new ApiToken("t1", "bench", AccessView.hash(TOKEN), Set.of(ConsoleRole.VIEWER), Set.of("*"), "bench",
            now, later, false)),
        Map.of("s1", new Session("s1", "ada", AccessView.hash(COOKIE), "csrf", now, later)), 1, now));
    JwtValidator validator = new JwtValidator(settings.oidc().orElseThrow(), Executors.newFixedThreadPool(2),
        Clock.systemUTC());
    ConsoleSecurity security = new ConsoleSecurity(AccessRules.node(),
        new Authenticator(view, Optional.of(validator), Clock.systemUTC()), id -> Optional.empty(),
        new MemoryAuditLog(1000), settings, mapper, Clock.systemUTC());
    ServerBinding bare = bind(system, route);
    ServerBinding gated = bind(system, security.secure(route));
    String jwt = jwt(key);

    Map<String, Variant> variants = new LinkedHashMap<>();
    variants.put("bare route (before)", new Variant(bare, Map.of()));
    variants.put("API token", new Variant(gated, Map.of("Authorization", "Bearer " + TOKEN)));
    variants.put("session cookie", new Variant(gated, Map.of("Cookie", "fleetpulse_session=" + COOKIE)));
    variants.put("OIDC JWT", new Variant(gated, Map.of("Authorization", "Bearer " + jwt)));
    // The bare route sent the same headers: what carrying a credential costs HTTP, gate or not.
    variants.put("bare + cookie header", new Variant(bare, Map.of("Cookie", "fleetpulse_session=" + COOKIE)));
    variants.put("bare + JWT header", new Variant(bare, Map.of("Authorization", "Bearer " + jwt)));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(4)).build();
    for (Variant variant : variants.values()) {
      check(http, variant);
    }
    System.out.printf("console gate, GET /api/profiles, %d clients, %d s per variant, %d cores%n", clients, seconds,
        Runtime.getRuntime().availableProcessors());
    // Round 0 warms up; rounds 1..ROUNDS are measured, each starting with another variant, so that
    // no variant always runs after the same one; the median of each is printed.
    List<String> names = new ArrayList<>(variants.keySet());
    Map<String, List<double[]>> results = new LinkedHashMap<>();
    names.forEach(name -> results.put(name, new ArrayList<>()));
    for (int round = 0; round <= ROUNDS; round++) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get((i + round) % names.size());
        double[] result = run(http, variants.get(name), clients, Duration.ofSeconds(seconds));
        if (round > 0) {
          results.get(name).add(result);
        }
      }
    }
    double base = median(results.get(names.get(0)), 0);
    System.out.printf("%-22s %12s %10s %16s   (median of %d rounds)%n", "variant", "requests/s", "vs bare",
        "CPU us/request", ROUNDS);
    results.forEach((name, rounds) -> System.out.printf("%-22s %12.0f %10.3f %16.1f%n", name, median(rounds, 0),
        median(rounds, 0) / base, median(rounds, 1)));
    // The gate's own work per request, without HTTP: the rule's lookup and the authentication.
    Authenticator authenticator = new Authenticator(view, Optional.of(validator), Clock.systemUTC());
    AccessRules rules = AccessRules.node();
    Map<String, Optional<String>[]> inputs = new LinkedHashMap<>();
    inputs.put("API token", credentials(Optional.of("Bearer " + TOKEN), Optional.empty()));
    inputs.put("session cookie", credentials(Optional.empty(), Optional.of(COOKIE)));
    inputs.put("OIDC JWT", credentials(Optional.of("Bearer " + jwt), Optional.empty()));
    System.out.printf("%-22s %16s%n", "gate alone", "us/request");
    for (Map.Entry<String, Optional<String>[]> input : inputs.entrySet()) {
      int iterations = 200_000;
      long sink = 0;
      long start = 0;
      for (int pass = 0; pass < 2; pass++) {
        start = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
          // New strings each time, as each request brings its own.
          Optional<String> authorization = input.getValue()[0].map(String::new);
          Optional<String> cookie = input.getValue()[1].map(String::new);
          sink += rules.match("GET", "/api/profiles").hashCode();
          sink += authenticator.authenticate(authorization, cookie).toCompletableFuture().join().hashCode();
        }
      }
      System.out.printf("%-22s %16.2f%s%n", input.getKey(), (System.nanoTime() - start) / 1e3 / iterations,
          sink == 42 ? " " : "");
    }
    jwks.stop(0);
    system.terminate();
    System.exit(0);
  }

  private static final int ROUNDS = 5;

  private record Variant(ServerBinding binding, Map<String, String> headers) {}

  @SuppressWarnings("unchecked")
  private static Optional<String>[] credentials(Optional<String> authorization, Optional<String> cookie) {
    return new Optional[] {authorization, cookie};
  }

  private static double median(List<double[]> rounds, int field) {
    double[] values = rounds.stream().mapToDouble(result -> result[field]).sorted().toArray();
    return values[values.length / 2];
  }

  private static ServerBinding bind(ActorSystem<?> system, Route route) throws Exception {
    return Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get();
  }

  private static HttpRequest request(Variant variant) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + variant.binding().localAddress().getPort() + "/api/profiles"));
    variant.headers().forEach(request::header);
    return request.GET().build();
  }

  private static void check(HttpClient http, Variant variant) throws Exception {
    HttpResponse<String> response = http.send(request(variant), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(variant.headers() + " answered " + response.statusCode() + ": " + response.body());
    }
  }

  /** {requests per second, process CPU microseconds per request}. */
  private static double[] run(HttpClient http, Variant variant, int clients, Duration duration) throws Exception {
    HttpRequest request = request(variant);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(clients);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuBefore = os.getProcessCpuTime();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread thread = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            (response.statusCode() == 200 ? done : failed).incrementAndGet();
          }
        } catch (Exception e) {
          failed.incrementAndGet();
        } finally {
          finished.countDown();
        }
      });
      thread.start();
      threads.add(thread);
    }
    finished.await();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long cpu = os.getProcessCpuTime() - cpuBefore;
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " requests failed");
    }
    return new double[] {done.get() / elapsed, cpu / 1e3 / done.get()};
  }

  private static String jwt(RSAKey key) throws Exception {
    Instant now = Instant.now();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
        new JWTClaimsSet.Builder().issuer("https://idp.bench").audience("fleetpulse").subject("bench")
            .claim("roles", List.of("viewer")).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))
            .build());
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private static HttpServer jwks(RSAKey key) throws Exception {
    byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/certs", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }
}
